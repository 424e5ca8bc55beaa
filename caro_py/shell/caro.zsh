# caro shell integration for zsh. Load it from ~/.zshrc with:
#   eval "$(caro init zsh)"
# The key (default Alt-j) turns the words on the line into a command, placed on the line
# for you to read, edit and run with Enter; it never runs anything itself.
# Another key: set CARO_KEY in bindkey notation before the eval, e.g. CARO_KEY='^Xj'.
__caro_widget() {
    emulate -L zsh
    local line=$BUFFER out risk
    [[ -z ${line//[[:space:]]/} ]] && return 0
    # Let caro write on the terminal (its spinner, or why it refused): the prompt is
    # drawn again afterwards. stdout is one line: RISK<TAB>COMMAND.
    zle -I
    # Ctrl-C must stop caro, not make zle drop the line: ignored here (a local trap,
    # through emulate -L), while caro --widget takes it back for itself.
    trap '' INT
    out=$(command caro --widget -p "$line") || { BUFFER=$line; return 0; }
    if [[ $out != *$'\t'* ]]; then
        BUFFER=$line
        return 0
    fi
    risk=${out%%$'\t'*}
    BUFFER=${out#*$'\t'}
    CURSOR=${#BUFFER}
    case $risk in
        high | critical) zle -M "caro: $risk risk: read it before you press Enter" ;;
    esac
}
zle -N __caro_widget
bindkey -M emacs "${CARO_KEY:-^[j}" __caro_widget
bindkey -M viins "${CARO_KEY:-^[j}" __caro_widget
