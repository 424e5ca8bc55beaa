# caro shell integration for bash 4 or later. Load it from ~/.bashrc with:
#   eval "$(caro init bash)"
# The key (default Alt-j) turns the words on the line into a command, placed on the line
# for you to read, edit and run with Enter; it never runs anything itself.
# Another key: set CARO_KEY in readline notation before the eval, e.g. CARO_KEY='\C-xj'.
__caro_widget() {
    local line=$READLINE_LINE out risk command code saved
    [[ -z ${line//[[:space:]]/} ]] && return 0
    # Ctrl-C must stop caro, not make readline throw the line away: bash ignores SIGINT
    # meanwhile, and caro --widget takes it back for itself.
    saved=$(trap -p INT)
    trap '' INT
    # stderr stays on the terminal: caro shows that it is working there, and why it
    # refused when it does. stdout is one line: RISK<TAB>COMMAND.
    out=$(command caro --widget -p "$line")
    code=$?
    eval "${saved:-trap - INT}"
    ((code == 0)) || return 0
    [[ $out == *$'\t'* ]] || return 0
    risk=${out%%$'\t'*}
    command=${out#*$'\t'}
    case $risk in
        high | critical) printf 'caro: %s risk: read it before you press Enter\n' "$risk" >&2 ;;
    esac
    READLINE_LINE=$command
    READLINE_POINT=${#command}
}
if ((BASH_VERSINFO[0] >= 4)); then
    bind -m emacs -x "\"${CARO_KEY:-\ej}\": __caro_widget"
    bind -m vi-insert -x "\"${CARO_KEY:-\ej}\": __caro_widget"
else
    printf 'caro: the key binding needs bash 4 or later (this is bash %s); not bound\n' \
        "$BASH_VERSION" >&2
fi
