# zsh_complete.zsh FPATH_DIR 'COMMAND LINE' CWD WANT — types the command line
# and Tab (twice: complete, then list) at an interactive zsh on a
# pseudo-terminal with FPATH_DIR's completion functions, and prints what the
# terminal shows once WANT appears in it (or after 20 seconds).  Used by
# run_options.py to check the generated zsh completion for real.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; cd $3"
zpty -w -n z "$2"$'\t'
sleep 0.5
zpty -w -n z $'\t'
local all="" chunk
integer end=$(( SECONDS + 20 ))
while (( SECONDS < end )); do
    while zpty -r -t z chunk; do all+=$chunk; done
    [[ ${all//$'\r'/} == *"$4"* ]] && break
    sleep 0.2
done
print -r -- "$all"
zpty -d z
