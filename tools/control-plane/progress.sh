# Progress of a build made of several components built one after another. Sourced by build scripts:
#
#   source progress.sh
#   progress_init 4
#   progress_run "etcd v3.6.16" go -C etcd build -o "$out/etcd" .
#
# On a terminal (stderr is a TTY) one live line shows the component building, its elapsed time, the
# whole build's, and how many components are left; elsewhere (CI, a pipe) plain lines, one as a component
# starts and one as it ends. A command's own output (stdout and stderr) is shown only when it fails, so the
# display stays readable; its exit status is progress_run's. Everything goes to stderr: a build script's
# stdout stays its result. progress_init and progress_run are the interface; names starting with
# _progress are this file's own.

# progress_init <number-of-components>
progress_init() {
  _progress_total=$1
  _progress_done=0
  _progress_started=$SECONDS
}

# progress_run <label> <command...>
progress_run() {
  local label=$1
  shift
  local step="[$((_progress_done + 1))/$_progress_total] $label"
  local left=$((_progress_total - _progress_done - 1))
  local started=$SECONDS status=0 ticker='' output
  output="$(mktemp "${TMPDIR:-/tmp}/progress.XXXXXX")"
  if [[ -t 2 ]]; then
    _progress_live "$step" "$started" "$left" &
    ticker=$!
  else
    printf '%s: building (%s; %s so far)\n' "$step" "$(_progress_left "$left" 'more after it' 'the last one')" \
      "$(_progress_clock $((SECONDS - _progress_started)))" >&2
  fi
  "$@" >"$output" 2>&1 || status=$?
  if [[ -n $ticker ]]; then
    kill "$ticker" 2>/dev/null || true
    wait "$ticker" 2>/dev/null || true
    printf '\r\033[K' >&2
  fi
  if ((status != 0)); then
    cat "$output" >&2
    printf '%s: failed after %s (exit %d)\n' "$step" "$(_progress_clock $((SECONDS - started)))" "$status" >&2
  else
    _progress_done=$((_progress_done + 1))
    printf '%s: built in %s (%s; total %s)\n' "$step" "$(_progress_clock $((SECONDS - started)))" \
      "$(_progress_left "$left" 'left' 'all done')" "$(_progress_clock $((SECONDS - _progress_started)))" >&2
  fi
  rm -f "$output"
  return "$status"
}

# The live line, redrawn every second until progress_run stops it (or the build script is gone).
_progress_live() {
  local step=$1 started=$2 left=$3 frames='|/-\' i=0
  while kill -0 $$ 2>/dev/null; do
    printf '\r\033[K%s %s: building %s (%s; total %s)' "${frames:i++%4:1}" "$step" \
      "$(_progress_clock $((SECONDS - started)))" "$(_progress_left "$left" 'more after it' 'the last one')" \
      "$(_progress_clock $((SECONDS - _progress_started)))" >&2
    sleep 1
  done
}

# <count> <words after a count> <words for none>
_progress_left() {
  if (($1 == 0)); then echo "$3"; else echo "$1 $2"; fi
}

# Seconds as m:ss.
_progress_clock() {
  printf '%d:%02d' $(($1 / 60)) $(($1 % 60))
}
