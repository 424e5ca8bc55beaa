"""Rules: firewall and MAC switches, crontab removal, history wiping."""

from __future__ import annotations

from safety.checks import security, writes
from safety.rules.rule import HIGH, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "remote.ssh-stop",
        "firewall",
        HIGH,
        "Stops the ssh server ({target}); on a remote machine that locks you out",
        security.stops_remote_access,
        matches=(
            "systemctl stop sshd",
            "sudo systemctl disable --now ssh",
            "systemctl mask ssh.service",
            "service ssh stop",
        ),
        non_matches=("systemctl status sshd", "systemctl restart sshd", "service ssh start"),
    ),  # fmt: skip
    # ---- firewall and security ------------------------------------------------------------
    Rule(
        "firewall.disable",
        "firewall",
        HIGH,
        "Turns off or flushes the firewall ({target})",
        security.disables_firewall,
        matches=(
            "iptables -F",
            "sudo iptables --flush",
            "iptables -P INPUT ACCEPT",
            "ufw disable",
            "ufw --force reset",
            "nft flush ruleset",
            "systemctl stop firewalld",
            "systemctl disable --now ufw",
            "pfctl -d",
        ),
        non_matches=(
            "iptables -L -n",
            "ufw status",
            "ufw allow 22",
            "systemctl status firewalld",
            "nft list ruleset",
        ),
    ),  # fmt: skip
    Rule(
        "security.mac-off",
        "firewall",
        HIGH,
        "Switches off a system protection ({target}: SELinux, AppArmor or SIP)",
        security.disables_mac,
        matches=(
            "setenforce 0",
            "sudo setenforce Permissive",
            "csrutil disable",
            "aa-teardown",
            "sed -i 's/SELINUX=enforcing/SELINUX=disabled/' /etc/selinux/config",
            "spctl --master-disable",
        ),
        non_matches=("getenforce", "setenforce 1", "csrutil status"),
    ),  # fmt: skip
    # ---- scheduler and history ------------------------------------------------------------
    Rule(
        "cron.remove",
        "scheduler",
        HIGH,
        "Deletes all your cron jobs without asking ({target})",
        security.removes_crontab,
        matches=(
            "crontab -r",
            "sudo crontab -r -u www-data",
            "crontab /dev/null",
            "echo | crontab -",
            "crontab < /dev/null",
        ),
        non_matches=(
            "crontab -l",
            "crontab -e",
            "crontab -ri",
            "crontab mycron.txt",
            "echo '0 * * * * backup.sh' | crontab -",
            "crontab -l | grep -v old | crontab -",
        ),
    ),  # fmt: skip
    Rule(
        "history.clear",
        "history",
        HIGH,
        "Erases shell history ({target}), hiding what was run",
        security.clears_history,
        matches=(
            "history -c",
            "unset HISTFILE",
            "export HISTFILE=/dev/null",
            "HISTSIZE=0",
            "set +o history",
            "history -cw",
        ),
        non_matches=("history | tail", "history 20", "echo $HISTFILE", "export HISTSIZE=10000"),
    ),  # fmt: skip
    Rule(
        "history.wipe-file",
        "history",
        HIGH,
        "Erases the history file {target}",
        writes.writes_where(writes._history, truncate_only=True, deletes=True),
        matches=(
            "cat /dev/null > ~/.bash_history",
            "rm ~/.bash_history",
            "> ~/.zsh_history",
            "ln -sf /dev/null ~/.bash_history",
            "shred -u ~/.bash_history",
        ),
        non_matches=(
            "tail ~/.bash_history",
            "grep ssh ~/.zsh_history",
            "cp ~/.bash_history ~/hist.bak",
        ),
    ),  # fmt: skip
)
