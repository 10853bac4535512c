# Progress lines for builds, sourced by the build scripts:
#   progress_init <number-of-components>
#   progress_run <label> <command...>   runs the command (its output to stderr) and reports
# which component is building, how long it took and how many are left. Plain lines on stderr.
progress_init() {
  progress_total=$1
  progress_done=0
}

progress_run() {
  local label=$1 start=$SECONDS
  shift
  echo "building $label ($((progress_done + 1))/$progress_total)…" >&2
  "$@" >&2
  progress_done=$((progress_done + 1))
  echo "built $label in $((SECONDS - start)) s, $((progress_total - progress_done)) left" >&2
}
