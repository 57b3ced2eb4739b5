# The big-body scenario of scripts/bench.sh (sourced, not run): streams paced like tokens run
# through each proxy on one event loop while a client uploads big JSON bodies through the same
# proxy, one after the other; what is measured is how much the uploads stretch the streams'
# worst gap between two events. Uses lib.sh and the caller's variables (rounds, duration,
# tokens, work, build, client_run).

big_stream_interval=5ms   # the fake's time between tokens: a fast model's pace
big_streams=8             # streams kept in flight
big_pause=0.2             # seconds between one upload's answer and the next upload

# make_big_body FILE MEGABYTES: a chat request carrying an image as base64, MEGABYTES in all.
make_big_body() {
  local prefix='{"model":"fast","messages":[{"role":"user","content":[{"type":"text","text":"What is in this image?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,'
  local suffix='"}}]}],"max_tokens":8}'
  local base64_bytes=$(($2 * 1024 * 1024 - ${#prefix} - ${#suffix}))
  { printf '%s' "$prefix"; head -c $((base64_bytes * 3 / 4)) /dev/urandom | base64 -w0; printf '%s' "$suffix"; } >"$1"
}

# upload_until_stopped URL FILE STOP_FILE OUT: POSTs FILE to URL again and again until STOP_FILE
# exists, one line per upload in OUT: the status and the seconds it took.
upload_until_stopped() {
  while [ ! -e "$3" ]; do
    "${client_run[@]}" curl -s -o /dev/null --max-time 60 -w '%{http_code} %{time_total}\n' \
      -H 'Content-Type: application/json' --data-binary @"$2" "$1" >>"$4" || echo "000 0" >>"$4"
    sleep "$big_pause"
  done
}

# run_big_body TARGET PORT MEGABYTES ROUND: one sse-bench run against the target, with uploads of
# MEGABYTES (none for 0) meanwhile; prints the raw record. The uploads go to a /v1/ path the fake
# does not serve: every proxy routes them (ggufd by their "model", after validating them), and
# the fake answers 404 without parsing them, so that it spends no CPU of the machine the streams
# share on them. An upload counts as routed when that 404 comes back.
run_big_body() {
  local target="$1" port="$2" mb="$3" round="$4"
  local uploads="$work/uploads.txt" stop="$work/uploads.stop" uploader="" pid
  : >"$uploads"
  rm -f "$stop"
  if [ "$mb" -gt 0 ]; then
    upload_until_stopped "http://127.0.0.1:$port/v1/bench/upload" "$work/big-$mb.json" "$stop" "$uploads" &
    uploader=$!
  fi
  local args=(--url "http://127.0.0.1:$port/v1/chat/completions" --model fast --tokens "$tokens"
    -c "$big_streams" --duration "${duration}s" --warmup 500ms --check-index)
  for pid in $(target_pids "$target"); do args+=(--watch-pid "$pid"); done
  local out status=0
  out="$("${client_run[@]}" "$build/sse-bench" "${args[@]}" 2>"$work/sse-bench.err")" || status=$?
  touch "$stop"
  [ -z "$uploader" ] || wait "$uploader"
  local head="{\"kind\":\"bigbody\",\"upstream\":\"fake\",\"loops\":$loops,\"target\":\"$target\",\"concurrency\":$big_streams,\"body_mb\":$mb,\"round\":$round"
  if [ -z "$out" ]; then
    echo "$head,\"result\":null,\"error\":$(json_string "sse-bench exited with status $status: $(tail -3 "$work/sse-bench.err")")}"
    return
  fi
  local sent routed counts
  sent="$(wc -l <"$uploads")" routed="$(awk '$1 == 404' "$uploads" | wc -l)"
  counts="\"bodies_sent\":$sent,\"bodies_routed\":$routed"
  [ "$routed" = 0 ] ||
    counts="$counts,\"body_seconds_p50\":$(awk '$1 == 404 { print $2 }' "$uploads" | sort -n | sed -n "$(((routed + 1) / 2))p")"
  echo "$head,\"result\":${out%\}},$counts}}"
}

# measure_big_bodies MEGABYTES...: the scenario for every target, every size and no upload at
# all, each round in a rotated target order, on servers with one event loop each.
measure_big_bodies() {
  local sizes=(0 "$@") mb round spec
  for mb in "$@"; do make_big_body "$work/big-$mb.json" "$mb"; done
  start_fake_targets 1 "$big_stream_interval"
  local specs=($(fake_target_specs))
  for round in $(seq 1 "$rounds"); do
    note "big bodies beside $big_streams streams, one event loop per proxy: round $round of $rounds"
    for mb in "${sizes[@]}"; do
      for spec in $(rotate "$round" "${specs[@]}"); do
        record "$(run_big_body "${spec%%=*}" "${spec#*=}" "$mb" "$round")"
      done
    done
  done
  stop_all
}
