# caro shell integration for zsh. Load it from ~/.zshrc with:
#   eval "$(caro init zsh)"
# The key (default Alt-j) turns the words on the line into a command, placed on the line
# for you to read, edit and run with Enter; it never runs anything itself.
# Another key: set CARO_KEY in bindkey notation before the eval, e.g. CARO_KEY='^Xj'.
__caro_widget() {
    emulate -L zsh
    local line=$BUFFER out risk note errors code
    [[ -z ${line//[[:space:]]/} ]] && return 0
    # stdout is one line: RISK<TAB>COMMAND. What caro says on stderr (why it refused, a
    # warning) is shown under the line with zle -M, as is a note while it works.
    errors=$(mktemp "${TMPDIR:-/tmp}/caro-widget.XXXXXX") || {
        zle -M "caro: cannot make a temporary file"
        return 0
    }
    zle -R "caro: working... (Ctrl-C cancels)"
    # Ctrl-C must stop caro, not make zle drop the line: ignored here (a local trap,
    # through emulate -L), while caro --widget takes it back for itself.
    trap '' INT
    out=$(command caro --widget -p "$line" 2>"$errors")
    code=$?
    note=$(<"$errors")
    command rm -f -- "$errors"
    if ((code != 0)) || [[ $out != *$'\t'* ]]; then
        zle reset-prompt # the line stays as it was; clears the working note
        [[ -n $note ]] && zle -M "$note"
        return 0
    fi
    risk=${out%%$'\t'*}
    BUFFER=${out#*$'\t'}
    CURSOR=${#BUFFER}
    case $risk in
        high | critical) note="caro: $risk risk: read it before you press Enter${note:+$'\n'$note}" ;;
    esac
    zle -M "$note"
}
zle -N __caro_widget
bindkey -M emacs "${CARO_KEY:-^[j}" __caro_widget
bindkey -M viins "${CARO_KEY:-^[j}" __caro_widget
