"""Rules: destructive git, container, cluster, cloud and database commands."""

from __future__ import annotations

from safety.checks import infra, writes
from safety.rules.rule import HIGH, MOD, Rule

RULES: tuple[Rule, ...] = (
    # ---- version control, containers, clouds, databases -----------------------------------
    Rule(
        "git.force-push",
        "git",
        HIGH,
        "Force-pushes ({target}): commits on the remote can be lost for everyone",
        infra.git_sub("push", infra._force_push),
        matches=(
            "git push --force",
            "git push -f origin main",
            "git push origin +main",
            "git -C repo push --force",
            "git push --mirror backup",
        ),
        non_matches=(
            "git push",
            "git push -u origin feature",
            "git commit -m 'git push --force'",
            "git push --force-with-lease",
        ),
    ),  # fmt: skip
    Rule(
        "git.force-push-lease",
        "git",
        MOD,
        "Force-pushes with a lease ({target}): safer, but still rewrites the remote",
        infra.git_sub("push", infra._lease_push),
        matches=("git push --force-with-lease", "git push --force-with-lease=main origin main"),
        non_matches=("git push", "git push --force"),
    ),  # fmt: skip
    Rule(
        "git.reset-hard",
        "git",
        HIGH,
        "Throws away uncommitted changes for good ({target} --hard)",
        infra.git_sub("reset", infra._reset_hard),
        matches=("git reset --hard", "git reset --hard HEAD~3", "git reset --hard origin/main"),
        non_matches=("git reset HEAD file.txt", "git reset --soft HEAD~1", "git log --oneline"),
    ),  # fmt: skip
    Rule(
        "git.clean",
        "git",
        HIGH,
        "Deletes untracked files for good ({target}; with -x also ignored ones such as .env)",
        infra.git_sub("clean", infra._clean_force),
        matches=("git clean -fdx", "git clean -f", "git clean -ffdx", "git clean --force -d"),
        non_matches=("git clean -n", "git clean -fdn", "git clean --dry-run -fdx"),
    ),  # fmt: skip
    Rule(
        "git.discard",
        "git",
        MOD,
        "Discards work or history that may not be recoverable ({target})",
        infra.git_discards,
        matches=(
            "git checkout -- .",
            "git restore .",
            "git stash clear",
            "git branch -D feature",
            "git push origin --delete old",
            "git reflog expire --expire=now --all",
        ),
        non_matches=(
            "git checkout main",
            "git stash list",
            "git branch -d merged",
            "git restore --staged a.txt",
        ),
    ),  # fmt: skip
    Rule(
        "k8s.delete-namespace",
        "containers",
        HIGH,
        "Deletes a Kubernetes namespace and everything running in it",
        infra.k8s_delete_namespace,
        matches=(
            "kubectl delete namespace prod",
            "kubectl delete ns staging",
            "oc delete namespaces a b",
        ),
        non_matches=("kubectl get ns", "kubectl delete pod web-1", "kubectl create namespace dev"),
    ),  # fmt: skip
    Rule(
        "k8s.delete-all",
        "containers",
        HIGH,
        "Deletes Kubernetes resources in bulk or cluster-wide ({target})",
        infra.k8s_delete_all,
        matches=(
            "kubectl delete pods --all",
            "kubectl delete all --all -A",
            "kubectl delete nodes worker-1",
            "kubectl delete pv --all",
            "kubectl delete crd widgets.example.com",
        ),
        non_matches=("kubectl delete pod web-1", "kubectl get pods --all-namespaces"),
    ),  # fmt: skip
    Rule(
        "k8s.delete",
        "containers",
        MOD,
        "Deletes Kubernetes resources ({target})",
        infra.k8s_delete,
        matches=("kubectl delete pod web-1", "kubectl delete -f deploy.yaml"),
        non_matches=("kubectl get pods", "kubectl describe pod x"),
    ),  # fmt: skip
    Rule(
        "docker.prune",
        "containers",
        HIGH,
        "Deletes containers, images or volumes in bulk ({target}); volume data is lost",
        infra.docker_prune,
        matches=(
            "docker system prune -a --volumes",
            "docker system prune -af",
            "docker volume prune -f",
            "docker compose down -v",
            "docker-compose down --volumes",
            "podman system reset",
        ),
        non_matches=(
            "docker system df",
            "docker system prune",
            "docker compose down",
            "docker image prune",
        ),
    ),  # fmt: skip
    Rule(
        "docker.mass-remove",
        "containers",
        HIGH,
        "Removes every container or image a sub-command lists ({target})",
        infra.docker_mass_remove,
        matches=(
            "docker rm -f $(docker ps -aq)",
            "docker rmi -f $(docker images -q)",
            "docker volume rm $(docker volume ls -q)",
        ),
        non_matches=("docker rm web", "docker ps -aq", "docker rmi nginx:1.25"),
    ),  # fmt: skip
    Rule(
        "docker.host-root",
        "containers",
        HIGH,
        "Mounts the host's {target} into a container, giving it the whole machine",
        infra.docker_host_root,
        matches=(
            "docker run -v /:/host -it alpine chroot /host",
            "docker run --rm -v /etc:/x alpine sh",
        ),
        non_matches=(
            "docker run -v $(pwd):/app node:20 npm test",
            "docker run -v data:/var/lib/postgresql/data postgres",
        ),
    ),  # fmt: skip
    Rule(
        "cloud.destroy",
        "containers",
        HIGH,
        "Destroys cloud infrastructure or storage ({target})",
        infra.cloud_destroy,
        matches=(
            "terraform destroy",
            "terraform destroy -auto-approve",
            "aws s3 rm s3://bucket --recursive",
            "aws s3 rb s3://bucket --force",
            "gcloud projects delete my-proj",
            "az group delete -n rg",
        ),
        non_matches=("terraform plan", "aws s3 ls", "aws s3 cp a.txt s3://bucket/"),
    ),  # fmt: skip
    Rule(
        "db.destroy",
        "containers",
        HIGH,
        "Drops or empties a database ({target})",
        infra.db_destroys,
        matches=(
            "mysql -e 'DROP DATABASE prod'",
            "psql -c 'drop table users'",
            "redis-cli FLUSHALL",
            "dropdb prod",
        ),
        non_matches=(
            "mysql -e 'SELECT 1'",
            "grep -r 'DROP TABLE' migrations/",
            "redis-cli GET key",
        ),
    ),  # fmt: skip
    Rule(
        "truncate.logs",
        "truncation",
        HIGH,
        "Empties or deletes system logs ({target}), destroying the audit trail",
        writes.writes_where(writes._logs, truncate_only=True, deletes=True),
        matches=(
            "> /var/log/auth.log",
            "truncate -s 0 /var/log/syslog",
            "cat /dev/null > /var/log/messages",
            "rm -rf /var/log/*",
            "shred -u /var/log/wtmp",
            "cp /dev/null /var/log/nginx/access.log",
            "dd if=/dev/null of=/var/log/syslog",
        ),
        non_matches=(
            "tail -f /var/log/syslog",
            "echo x >> /var/log/myapp.log",
            "dd if=/dev/zero of=./app.log bs=1k count=1",
            "> ./app.log",
            "truncate -s 0 debug.log",
        ),
    ),  # fmt: skip
    Rule(
        "truncate.journal",
        "truncation",
        MOD,
        "Deletes systemd journal entries ({target})",
        infra.journal_vacuum,
        matches=("journalctl --vacuum-time=1s", "sudo journalctl --vacuum-size=1M"),
        non_matches=("journalctl -u nginx",),
    ),  # fmt: skip
)
