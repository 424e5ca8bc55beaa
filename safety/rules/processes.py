"""Rules: shutdown, reboot and killing init, critical or many processes."""

from __future__ import annotations

from safety.checks import processes, whole_command
from safety.rules.rule import CRIT, HIGH, Rule

RULES: tuple[Rule, ...] = (
    # ---- power and processes --------------------------------------------------------------
    Rule(
        "defence.cron-guard-removed",
        "history",
        HIGH,
        "Takes a backup or security job out of the crontab ({target})",
        whole_command.crontab_drops_guard,
        matches=(
            "sudo crontab -l | grep -v borg | sudo crontab -",
            "crontab -l | sed '/restic/d' | crontab -",
        ),
        non_matches=("crontab -l | grep -v old-task | crontab -", "crontab -l | grep backup"),
    ),  # fmt: skip
    Rule(
        "resources.endless-filler",
        "resources",
        HIGH,
        "Creates files or folders in an endless loop with no pause ({target}), until the disk "
        "or its inodes run out",
        whole_command.endless_filler,
        matches=(
            "while :; do mkdir -p x/x/x; cd x; done",
            "while true; do touch f$RANDOM; done",
            "for ((;;)); do cp big.iso big-$RANDOM.iso; done",
        ),
        non_matches=(
            "while true; do date >> log.txt; sleep 60; done",
            'while read f; do touch "$f"; done < list.txt',
            "mkdir -p a/b/c",
        ),
    ),  # fmt: skip
    Rule(
        "resources.background-flood",
        "resources",
        HIGH,
        "Starts thousands of background jobs at once ({target}), which can exhaust the machine",
        whole_command.background_flood,
        matches=(
            "for i in $(seq 1 100000); do sleep 1000 & done",
            "for i in {1..50000}; do curl -s http://x/ & done",
            "for ((i=0; i<10000; i++)); do ./work & done",
        ),
        non_matches=(
            'for i in 1 2 3; do ./job.sh "$i" & done; wait',
            "for i in $(seq 1 100000); do echo $i; done",
            'for f in *.jpg; do convert "$f" x.png & done',
        ),
    ),  # fmt: skip
    Rule(
        "persist.scratch-program",
        "scheduler",
        HIGH,
        "Installs {target}, kept in a temporary or hidden folder, to run by itself later",
        processes.installed_from_scratch,
        matches=(
            "echo '@reboot /tmp/.x/agent >/dev/null 2>&1' | crontab -",
            "printf '[Service]\\nExecStart=/dev/shm/k\\n' > ~/.config/systemd/user/k.service",
            "echo '/home/u/.cache/.s/run' > .git/hooks/post-merge",
        ),
        non_matches=(
            "echo '0 3 * * * /usr/local/bin/backup.sh' | crontab -",
            "/tmp/build/run.sh",
            "echo '/tmp/x' > notes.txt",
        ),
    ),  # fmt: skip
    Rule(
        "power.shutdown",
        "power",
        HIGH,
        "Shuts down or restarts the machine ({target})",
        processes.shuts_down,
        matches=(
            "shutdown -h now",
            "sudo reboot",
            "halt",
            "poweroff",
            "init 0",
            "systemctl poweroff",
            "systemctl reboot",
            "shutdown -r +5",
        ),
        non_matches=("shutdown -c", "systemctl status sshd", "echo reboot", "last reboot | head"),
    ),  # fmt: skip
    Rule(
        "proc.kill-init",
        "processes",
        CRIT,
        "Kills {target}: pid 1 (init) or every process you can reach",
        processes.kills_init_or_all,
        matches=(
            "kill -9 1",
            "kill -9 -1",
            "kill -KILL -1",
            "sudo kill 1",
            "kill -s KILL -1",
            "kill -- -1",
        ),
        non_matches=("kill -9 1234", "kill -1 4242", "kill %1", "kill -HUP 812"),
    ),  # fmt: skip
    Rule(
        "proc.mass-kill",
        "processes",
        HIGH,
        "Kills every process ({target})",
        processes.mass_kill,
        matches=(
            "killall5 -9",
            "pkill -9 .",
            "killall -9 -r '.*'",
            "pkill -u root",
            "pkill -9 -u root",
            "pkill -KILL -u $USER",
            "killall -u bob",
            "sudo pkill --signal KILL --euid 0",
        ),
        non_matches=(
            "pkill -f gunicorn",
            "killall firefox",
            "pkill -u bob node",
            "pkill -f my_script.py",
            "kill 1234",
            "pgrep -u root",
        ),
    ),  # fmt: skip
    Rule(
        "proc.kill-runtime",
        "processes",
        HIGH,
        "Force-kills every {target} process, unrelated programs included, with no chance to save",
        processes.force_kills_runtime,
        matches=(
            "killall -9 python",
            "pkill -9 node",
            "pkill -KILL -f python3",
            "sudo killall -s KILL java",
            "pkill --signal=9 ^ruby$",
        ),
        non_matches=(
            "killall python",
            "pkill -f my_script.py",
            "pkill -9 -f my_script.py",
            "killall -9 firefox",
            "pkill -9 -f 'python train.py'",
        ),
    ),  # fmt: skip
    Rule(
        "proc.kill-listed",
        "processes",
        HIGH,
        "Kills every process that `{target}` lists",
        processes.kill_listed,
        matches=(
            "kill -9 $(pgrep .)",
            "kill $(pgrep -u root)",
            "pgrep . | xargs kill -9",
            "kill -9 $(ps -e -o pid=)",
            "kill -9 $(ps aux | awk '{print $2}')",
            "ps -ef | awk '{print $2}' | xargs kill",
            "kill -9 $(pidof python)",
            "kill -9 `pgrep python3`",
        ),
        non_matches=(
            "kill 1234",
            "kill $(pgrep -f my_script.py)",
            "kill $(cat app.pid)",
            "kill -9 $(lsof -t -i :8080)",
            "ps aux | grep my_server | awk '{print $2}' | xargs kill",
            "kill $(pidof python)",
            "pgrep -f gunicorn | xargs kill -HUP",
        ),
    ),  # fmt: skip
    Rule(
        "proc.kill-critical",
        "processes",
        HIGH,
        "Kills {target}, which the system, your session or remote access depends on",
        processes.kills_critical_process,
        matches=("killall -9 sshd", "sudo pkill systemd", "pkill -KILL -x Xorg", "killall init"),
        non_matches=("pkill -f gunicorn", "killall ssh-agent", "pkill -u bob sshd-session-x"),
    ),  # fmt: skip
)
