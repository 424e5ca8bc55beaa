"""Rules: permissions, ownership and privilege escalation."""

from __future__ import annotations

from safety.checks import accounts, permissions
from safety.paths import Place
from safety.rules.rule import CRIT, HIGH, Rule

RULES: tuple[Rule, ...] = (
    # ---- permissions and privilege --------------------------------------------------------
    Rule(
        "perm.recursive-system",
        "permissions",
        CRIT,
        "Recursively changes permissions or owners on {target}; the system stops working",
        permissions.perms_recursive_on(Place.ROOT, Place.SYSTEM_TOP),
        matches=(
            "chmod -R 777 /",
            "chown -R nobody /",
            "sudo chmod -R 000 /etc",
            "chmod --recursive 755 /usr",
            "chgrp -R users /bin",
            "chown -R $USER:$USER /var/lib",
            "setfacl -R -m u:bob:rwx /etc",
        ),
        non_matches=(
            "chmod -R 755 ./public",
            "chown -R me:me ~/project",
            "chmod 644 notes.txt",
            "chmod +x ./run.sh",
        ),
    ),  # fmt: skip
    Rule(
        "perm.system",
        "permissions",
        HIGH,
        "Changes permissions or ownership of system files ({target})",
        permissions.perms_on_system,
        matches=(
            "chmod 777 /",
            "chmod 000 /usr/bin/sudo",
            "chown nobody /etc/hosts",
            "chmod -R 700 /usr/local/bin/tool",
        ),
        non_matches=("chmod 600 ~/.ssh/id_ed25519", "chmod 755 ./bin/tool"),
    ),  # fmt: skip
    Rule(
        "perm.world-writable",
        "permissions",
        HIGH,
        "Makes {target} writable by every user, recursively",
        permissions.world_writable_recursive(Place.HOME, Place.CWD, Place.PARENT),
        matches=("chmod -R 777 ~", "chmod -R o+w .", "chmod -R a+rwx ~/"),
        non_matches=("chmod -R 755 .", "chmod 777 ./tmpfile", "chmod -R 777 ./public/uploads"),
    ),  # fmt: skip
    Rule(
        "priv.setuid-shell",
        "privilege",
        CRIT,
        "Sets the setuid bit on {target}: anyone can run it with its owner's (root's) rights",
        permissions.setuid(shell_only=True),
        matches=(
            "chmod u+s /bin/bash",
            "chmod 4755 /usr/bin/python3",
            "sudo chmod +s /usr/bin/find",
        ),
        non_matches=("chmod u+x /bin/bash.sh.txt", "chmod 755 /usr/local/bin/tool"),
    ),  # fmt: skip
    Rule(
        "priv.setuid",
        "privilege",
        HIGH,
        "Sets the setuid/setgid bit on {target}, which then runs with its owner's rights",
        permissions.setuid(shell_only=False),
        matches=("chmod u+s ./helper", "chmod 4755 /usr/local/bin/tool", "chmod g+s shared/"),
        non_matches=("chmod u+x ./helper", "chmod 0755 ./tool"),
    ),  # fmt: skip
    Rule(
        "priv.admin-group",
        "privilege",
        HIGH,
        "Gives a user administrator rights ({target})",
        permissions.adds_admin,
        matches=(
            "usermod -aG sudo bob",
            "sudo usermod -a -G wheel eve",
            "gpasswd -a eve sudo",
            "adduser eve sudo",
            "usermod -aG docker eve",
        ),
        non_matches=("usermod -aG video bob", "groups bob", "adduser eve"),
    ),  # fmt: skip
    Rule(
        "priv.uid0",
        "privilege",
        CRIT,
        "Creates or changes an account to user id 0 (a second root)",
        permissions.uid_zero,
        matches=("useradd -o -u 0 toor", "usermod -u 0 eve"),
        non_matches=("useradd -u 1001 eve", "id -u"),
    ),  # fmt: skip
    Rule(
        "priv.no-password",
        "privilege",
        CRIT,
        "Removes an account's password so anyone can log in as it",
        permissions.removes_password,
        matches=("passwd -d root", "sudo passwd --delete bob"),
        non_matches=("passwd", "passwd -l bob"),
    ),  # fmt: skip
    Rule(
        "priv.capabilities",
        "privilege",
        HIGH,
        "Grants a program root-level capabilities ({target})",
        permissions.sets_capabilities,
        matches=("setcap cap_setuid+ep /usr/bin/python3", "setcap cap_sys_admin+ep ./tool"),
        non_matches=("setcap cap_net_bind_service=+ep ./server", "getcap -r /"),
    ),  # fmt: skip
    Rule(
        "priv.sudoers-visudo",
        "privilege",
        HIGH,
        "Edits {target}, which decides who may run what as root",
        accounts.visudo_edit,
        matches=(
            "visudo",
            "sudo visudo",
            "visudo -f /etc/sudoers.d/x",
            "sudo EDITOR=nano visudo",
            "visudo --file=/etc/sudoers.d/deploy",
        ),
        non_matches=("visudo -c", "sudo visudo -cf /etc/sudoers", "visudo --check", "man visudo"),
    ),  # fmt: skip
    Rule(
        "priv.sudoers-editor",
        "privilege",
        HIGH,
        "Opens {target} in an editor; it decides who may run what as root",
        accounts.editor_on_sudoers,
        matches=(
            "sudo vi /etc/sudoers",
            "sudoedit /etc/sudoers.d/deploy",
            "sudo nano /etc/sudoers.d/90-cloud-init-users",
            "sudo -e /etc/sudoers",
            "sudo --edit /etc/sudoers.d/deploy",
        ),
        non_matches=("cat /etc/sudoers", "vim ./sudoers.example", "sudo less /etc/sudoers"),
    ),  # fmt: skip
)
