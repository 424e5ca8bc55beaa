"""Examples the project writes itself: everyday requests phrased the way people type them.

Each entry: (topic, category, command, requests). The topic is the split key, so every
phrasing of one entry lands in the same split.
"""

from __future__ import annotations

OWN_EXAMPLES: list[tuple[str, str, str, list[str]]] = [
    (
        "ls-all",
        "files",
        "ls -la",
        [
            "show all files here including hidden ones",
            "list everything incl dotfiles",
            "what files are in this folder, even hidden?",
            "ls with hidden files pls",
        ],
    ),
    (
        "ls-size",
        "files",
        "ls -lhS",
        [
            "list files sorted by size, biggest first",
            "which files here are largest",
            "show files by size with human readable sizes",
        ],
    ),
    (
        "ls-time",
        "files",
        "ls -lt",
        [
            "list files newest first",
            "show most recently modified files first",
            "what did I change last in this dir",
        ],
    ),
    (
        "du-dir",
        "files",
        "du -sh *",
        [
            "how big is each thing in this folder",
            "disk usage of every item here",
            "show size of each directory in current folder",
        ],
    ),
    (
        "du-total",
        "files",
        "du -sh .",
        [
            "how much space does this directory take",
            "total size of current folder",
            "size of this dir?",
        ],
    ),
    (
        "df",
        "system",
        "df -h",
        [
            "how much disk space is left",
            "show free disk space",
            "check disk usage on all drives",
            "am i running out of disk",
        ],
    ),
    (
        "find-py",
        "files",
        "find . -name '*.py'",
        [
            "find all python files",
            "where are the .py files",
            "list every python file below here",
            "find py files recursively",
        ],
    ),
    (
        "find-big",
        "files",
        "find . -type f -size +100M",
        [
            "find files bigger than 100MB",
            "which files are over 100 mb",
            "search for huge files larger than 100M",
        ],
    ),
    (
        "find-recent",
        "files",
        "find . -type f -mtime -7",
        [
            "files changed in the last week",
            "find files modified in the past 7 days",
            "what files were edited this week",
        ],
    ),
    (
        "find-empty",
        "files",
        "find . -type f -empty",
        [
            "find empty files",
            "list all zero byte files",
            "are there any empty files here",
        ],
    ),
    (
        "find-name",
        "files",
        "find . -iname '*report*'",
        [
            "find files with report in the name, any case",
            "search for files named like report",
            "where is the report file",
        ],
    ),
    (
        "count-files",
        "files",
        "find . -type f | wc -l",
        [
            "how many files are in here recursively",
            "count all files in this directory tree",
            "number of files under current dir",
        ],
    ),
    (
        "grep-todo",
        "text",
        "grep -rn 'TODO' .",
        [
            "find all TODO comments",
            "search for TODO in every file with line numbers",
            "where did i leave TODOs",
        ],
    ),
    (
        "grep-count",
        "text",
        "grep -c 'error' app.log",
        [
            "how many lines in app.log contain error",
            "count error lines in app.log",
            "number of errors in app.log",
        ],
    ),
    (
        "grep-files",
        "text",
        "grep -rl 'password' .",
        [
            "which files mention password",
            "list files that contain the word password",
            "find files containing password",
        ],
    ),
    (
        "grep-ignore-case",
        "text",
        "grep -i 'warning' app.log",
        [
            "show warnings in app.log ignoring case",
            "case insensitive search for warning in app.log",
        ],
    ),
    (
        "wc-lines",
        "text",
        "wc -l notes.txt",
        [
            "how many lines in notes.txt",
            "count lines of notes.txt",
            "line count notes.txt",
        ],
    ),
    (
        "wc-words",
        "text",
        "wc -w notes.txt",
        [
            "how many words are in notes.txt",
            "word count for notes.txt",
        ],
    ),
    (
        "head",
        "text",
        "head -n 20 app.log",
        [
            "show the first 20 lines of app.log",
            "top 20 lines app.log",
            "peek at start of app.log",
        ],
    ),
    (
        "tail",
        "text",
        "tail -n 50 app.log",
        [
            "last 50 lines of app.log",
            "show the end of app.log, 50 lines",
        ],
    ),
    (
        "tail-follow",
        "text",
        "tail -f app.log",
        [
            "follow app.log as it grows",
            "watch app.log live",
            "stream new lines of app.log",
        ],
    ),
    (
        "sort-uniq",
        "text",
        "sort names.txt | uniq -c | sort -rn",
        [
            "count how often each line appears in names.txt, most common first",
            "frequency of lines in names.txt",
            "most repeated lines in names.txt",
        ],
    ),
    (
        "sort-unique",
        "text",
        "sort -u names.txt",
        [
            "sort names.txt and drop duplicates",
            "unique sorted lines of names.txt",
        ],
    ),
    (
        "sed-replace",
        "text",
        "sed -i 's/foo/bar/g' config.txt",
        [
            "replace foo with bar in config.txt",
            "change every foo to bar in config.txt in place",
            "substitute foo by bar inside config.txt",
        ],
    ),
    (
        "cut-csv",
        "text",
        "cut -d, -f2 data.csv",
        [
            "print the second column of data.csv",
            "get column 2 from the csv data.csv",
            "extract field 2 of data.csv",
        ],
    ),
    (
        "diff",
        "text",
        "diff old.txt new.txt",
        [
            "what's different between old.txt and new.txt",
            "compare old.txt with new.txt",
        ],
    ),
    (
        "cat",
        "text",
        "cat notes.txt",
        [
            "show me notes.txt",
            "print the contents of notes.txt",
            "what's in notes.txt",
        ],
    ),
    (
        "mkdir-p",
        "files",
        "mkdir -p src/utils/helpers",
        [
            "create the folder src/utils/helpers with parents",
            "make nested dirs src/utils/helpers",
        ],
    ),
    (
        "cp-r",
        "files",
        "cp -r docs docs-backup",
        [
            "copy the docs folder to docs-backup",
            "duplicate docs directory as docs-backup",
        ],
    ),
    (
        "mv",
        "files",
        "mv draft.txt final.txt",
        [
            "rename draft.txt to final.txt",
            "change the name of draft.txt to final.txt",
        ],
    ),
    (
        "rm-logs",
        "files",
        "rm *.log",
        [
            "delete all log files here",
            "remove every .log file in this folder",
        ],
    ),
    (
        "touch",
        "files",
        "touch notes.txt",
        [
            "create an empty file called notes.txt",
            "make a new blank file notes.txt",
        ],
    ),
    (
        "chmod-x",
        "files",
        "chmod +x deploy.sh",
        [
            "make deploy.sh executable",
            "give deploy.sh execute permission",
            "allow running deploy.sh",
        ],
    ),
    (
        "ln-s",
        "files",
        "ln -s /opt/app/current app",
        [
            "symlink /opt/app/current as app",
            "create a symbolic link app pointing to /opt/app/current",
        ],
    ),
    (
        "tar-create",
        "archives",
        "tar -czf backup.tar.gz docs",
        [
            "compress the docs folder into backup.tar.gz",
            "make a tarball of docs called backup.tar.gz",
            "zip up docs as a tar.gz named backup.tar.gz",
        ],
    ),
    (
        "tar-extract",
        "archives",
        "tar -xzf backup.tar.gz",
        [
            "extract backup.tar.gz",
            "unpack backup.tar.gz here",
            "untar backup.tar.gz",
        ],
    ),
    (
        "tar-list",
        "archives",
        "tar -tzf backup.tar.gz",
        [
            "what's inside backup.tar.gz",
            "list the files in backup.tar.gz without extracting",
        ],
    ),
    (
        "zip",
        "archives",
        "zip -r photos.zip photos",
        [
            "zip the photos folder",
            "make photos.zip from the photos directory",
        ],
    ),
    (
        "unzip",
        "archives",
        "unzip photos.zip",
        [
            "unzip photos.zip",
            "extract the zip file photos.zip",
        ],
    ),
    (
        "ps-grep",
        "processes",
        "ps aux | grep python",
        [
            "is python running",
            "show python processes",
            "list running python processes",
        ],
    ),
    (
        "ps-mem",
        "processes",
        "ps aux --sort=-%mem | head -n 10",
        [
            "which processes use the most memory",
            "top 10 memory hungry processes",
        ],
    ),
    (
        "kill-port",
        "processes",
        "lsof -i :8080",
        [
            "what is listening on port 8080",
            "which process uses port 8080",
            "who has port 8080 open",
        ],
    ),
    (
        "pkill",
        "processes",
        "pkill -f node",
        [
            "kill all node processes",
            "stop every process named node",
        ],
    ),
    (
        "free",
        "system",
        "free -h",
        [
            "how much memory is free",
            "show ram usage",
            "check memory",
        ],
    ),
    (
        "uname",
        "system",
        "uname -a",
        [
            "what kernel am i running",
            "show system and kernel info",
            "which linux version is this",
        ],
    ),
    (
        "uptime",
        "system",
        "uptime",
        [
            "how long has this machine been up",
            "show uptime and load",
        ],
    ),
    (
        "whoami",
        "system",
        "whoami",
        [
            "what user am i",
            "which account am I logged in as",
        ],
    ),
    (
        "env-path",
        "system",
        "echo $PATH",
        [
            "show my PATH",
            "print the PATH variable",
            "what's in my path",
        ],
    ),
    (
        "date",
        "system",
        "date",
        [
            "what time is it",
            "show the current date and time",
        ],
    ),
    (
        "curl-get",
        "network",
        "curl -s https://example.com",
        [
            "fetch https://example.com",
            "download the page at https://example.com quietly",
        ],
    ),
    (
        "curl-headers",
        "network",
        "curl -I https://example.com",
        [
            "show the http headers of https://example.com",
            "just the response headers for example.com",
        ],
    ),
    (
        "wget",
        "network",
        "wget https://example.com/file.tar.gz",
        [
            "download https://example.com/file.tar.gz",
            "get the file https://example.com/file.tar.gz",
        ],
    ),
    (
        "ping",
        "network",
        "ping -c 4 example.com",
        [
            "ping example.com 4 times",
            "is example.com reachable",
            "check connectivity to example.com",
        ],
    ),
    (
        "ip-addr",
        "network",
        "ip addr",
        [
            "what's my ip address",
            "show network interfaces and ips",
            "list my ip addresses",
        ],
    ),
    (
        "ss-listen",
        "network",
        "ss -tulpn",
        [
            "which ports are open and listening",
            "show listening sockets",
            "list services listening on ports",
        ],
    ),
    (
        "ssh",
        "network",
        "ssh alice@server1",
        [
            "connect to server1 as alice over ssh",
            "ssh into server1 with user alice",
        ],
    ),
    (
        "git-status",
        "vcs",
        "git status",
        [
            "what changed in my repo",
            "show git status",
            "which files did i modify",
        ],
    ),
    (
        "git-log",
        "vcs",
        "git log --oneline -n 10",
        [
            "show the last 10 commits briefly",
            "recent git history one line each",
        ],
    ),
    (
        "git-undo",
        "vcs",
        "git reset --soft HEAD~1",
        [
            "undo my last commit but keep the changes",
            "uncommit the last commit, keep files",
        ],
    ),
    (
        "git-branch",
        "vcs",
        "git checkout -b feature/login",
        [
            "create and switch to a new branch feature/login",
            "new branch feature/login",
        ],
    ),
    (
        "git-diff",
        "vcs",
        "git diff",
        [
            "show my unstaged changes",
            "what did i change since last commit",
        ],
    ),
    (
        "docker-ps",
        "containers",
        "docker ps",
        [
            "list running docker containers",
            "which containers are running",
            "show docker containers that are up",
        ],
    ),
    (
        "docker-ps-a",
        "containers",
        "docker ps -a",
        [
            "list all docker containers including stopped ones",
            "show every container, stopped too",
        ],
    ),
    (
        "docker-images",
        "containers",
        "docker images",
        [
            "list docker images",
            "what docker images do I have",
        ],
    ),
    (
        "docker-logs",
        "containers",
        "docker logs -f web",
        [
            "follow the logs of the web container",
            "stream logs from container web",
        ],
    ),
    (
        "apt-install",
        "packages",
        "sudo apt install htop",
        [
            "install htop",
            "how do i get htop on debian",
            "apt install htop",
        ],
    ),
    (
        "pip-install",
        "packages",
        "pip install requests",
        [
            "install the requests python package",
            "pip install requests please",
        ],
    ),
    (
        "systemctl-status",
        "processes",
        "systemctl status nginx",
        [
            "is nginx running",
            "check the status of the nginx service",
        ],
    ),
    (
        "systemctl-restart",
        "processes",
        "sudo systemctl restart nginx",
        [
            "restart nginx",
            "restart the nginx service",
        ],
    ),
    (
        "journal",
        "processes",
        "journalctl -u nginx -n 50",
        [
            "show the last 50 log lines of nginx service",
            "nginx service logs, last 50",
        ],
    ),
    (
        "history-grep",
        "system",
        "history | grep ssh",
        [
            "find ssh commands in my history",
            "which ssh commands did i run before",
        ],
    ),
    (
        "xargs-rm",
        "files",
        "find . -name '*.tmp' -delete",
        [
            "delete all .tmp files recursively",
            "remove every tmp file below here",
        ],
    ),
    (
        "sha256",
        "text",
        "sha256sum release.zip",
        [
            "checksum of release.zip",
            "sha256 of release.zip",
            "compute the hash of release.zip",
        ],
    ),
    (
        "jq",
        "text",
        "jq '.name' package.json",
        [
            "get the name field from package.json",
            "read .name out of package.json with jq",
        ],
    ),
    (
        "largest-files",
        "files",
        "find . -type f -exec du -h {} + | sort -rh | head -n 10",
        [
            "10 biggest files in this tree",
            "show the largest files recursively, top 10",
        ],
    ),
]
