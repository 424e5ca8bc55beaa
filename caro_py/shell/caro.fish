# caro shell integration for fish. Load it from ~/.config/fish/config.fish with:
#   caro init fish | source
# The key (default Alt-j) turns the words on the line into a command, placed on the line
# for you to read, edit and run with Enter; it never runs anything itself.
# Another key: set CARO_KEY in `bind` notation before that line, e.g. set -g CARO_KEY \cxj
function __caro_widget
    set -l line (commandline | string collect)
    if string match -qr '^\s*$' -- "$line"
        return
    end
    # stderr stays on the terminal (caro's spinner, or why it refused), on a line of its
    # own below the prompt; stdout is one line: RISK<TAB>COMMAND.
    echo >&2
    # While caro works, Ctrl-C is caro's: with a handler of its own here, fish does not
    # cancel the line (and the repaint below) as well.
    function __caro_sigint --on-signal SIGINT
    end
    set -l out (command caro --widget -p "$line")
    set -l code $status
    functions -e __caro_sigint
    set out (string join \n -- $out)
    if test $code -eq 0; and string match -q -- "*"\t"*" "$out"
        set -l parts (string split -m 1 \t -- "$out")
        commandline -r -- $parts[2]
        commandline -C (string length -- "$parts[2]")
        switch $parts[1]
            case high critical
                echo "caro: $parts[1] risk: read it before you press Enter" >&2
        end
    end
    commandline -f repaint
end
set -q CARO_KEY; or set -l CARO_KEY \ej
bind $CARO_KEY __caro_widget
bind -M insert $CARO_KEY __caro_widget
