"""The embedded model in a resident worker process; ``caro`` is its client.

A native crash in llama.cpp then ends the worker, not caro (caro reports it and exits 3),
and a warm worker answers without loading the model again.

- paths: the runtime directory (socket, lock, exit records) and the log, with the
  ownership and permission checks.
- framing: length-prefixed JSON frames, the one wire format.
- identity: what a worker serves (caro version, model, adapter, settings), for the handshake.
- server: the worker process (``python -m backends.embedded.worker.server``): binds the socket,
  detaches, loads the model and answers requests in turn until it has been idle
  ``embedded.keep_alive`` seconds.
- lifecycle: the client side of starting, finding, replacing and stopping a worker.
- client: WorkerBackend, the ``embedded`` backend caro uses.

Nothing here imports llama_cpp or numpy except server.py, which runs in the worker.
"""
