#!/usr/bin/env bash
# The operator's tool on a worker host (deploy/README.md): one container, `codec-lab-worker`,
# running `codec-lab run --serve` from the codec-lab-worker image against this host's Docker
# engine. Docker's restart policy (on-failure: a crash, not a finished run or a stop) is the
# only supervisor of a running worker; systemd (codec-lab-worker.service) only creates and
# starts the container at boot and stops it at shutdown.
#
# Usage: deploy/worker.sh COMMAND
#   install        install and enable the systemd unit, then start the worker
#   start          create the container if missing, start it if stopped
#   stop | pause   stop after the attempt in flight is stored (docker stop, within the stop timeout)
#   resume         start a stopped worker again
#   restart        stop, then start the same container
#   upgrade        rebuild both images from this checkout, then replace the container
#   rollback       replace the container with the previous worker image
#   status         container state, health, and `codec-lab status`
#   logs [ARGS]    docker logs (JSON lines); e.g. logs --since 1h, logs -f
#   report         the newest self-governance report in the data dir
#   prepare-clips  build the real dev and holdout clip sets in the data dir (needs Debian's
#                  archive; a one-off root container of the worker image). Without them the
#                  worker uses the built-in clip, has no holdout, and adopts nothing after v1
#   backup FILE    stop, archive the data dir to FILE (.tar.gz), start again
#   restore FILE   stop, set the current data dir aside, unpack FILE, start again
#   run-args       print the docker run line this host uses
# Settings: /etc/codec-lab/worker.conf (shell variables; see the defaults below).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

CONF=${CODEC_LAB_WORKER_CONF:-/etc/codec-lab/worker.conf}
# shellcheck disable=SC1090
[ -f "$CONF" ] && . "$CONF"
NAME=${NAME:-codec-lab-worker}
IMAGE=${IMAGE:-codec-lab-worker:latest}
DATA_DIR=${DATA_DIR:-/srv/codec-lab/data}
STATUS_PORT=${STATUS_PORT:-8080}
PUBLISH_ADDRESS=${PUBLISH_ADDRESS:-127.0.0.1}
GENERATOR=${GENERATOR:-offline}
RUN_ARGS=${RUN_ARGS:-}
AWS_REGION=${AWS_REGION:-}
SECRET_ID=${SECRET_ID:-}
SANDBOX_IMAGE=${SANDBOX_IMAGE:-}
# A root-only file of extra variables for the worker (e.g. CODEC_LAB_ADMIN_TOKEN=...).
ENV_FILE=${ENV_FILE:-}
# docker stop waits this long for the attempt in flight, then kills the worker (the next start
# repairs the store and reaps its sandbox containers). Measured: see deploy/README.md.
STOP_TIMEOUT_S=${STOP_TIMEOUT_S:-180}
MEMORY=${MEMORY:-4g}
LOG_MAX_SIZE=${LOG_MAX_SIZE:-50m}
LOG_MAX_FILES=${LOG_MAX_FILES:-5}
SOCKET=${SOCKET:-/var/run/docker.sock}
# 1: `start` prepares the clip sets first when the data dir has none (the EC2 host sets it).
PREPARE_CLIPS=${PREPARE_CLIPS:-0}
WORKER_UID=10000

log() { printf '[worker] %s\n' "$*" >&2; }
state() {
  local status
  if status=$(docker container inspect -f '{{.State.Status}}' "$NAME" 2>/dev/null); then
    echo "$status"
  else
    echo missing
  fi
}

run_args() {
  local args=(
    --detach --name "$NAME"
    # A fixed hostname: sandbox containers are labelled with it, so a replaced worker
    # recognises its predecessor's leftovers and reaps them at start-up.
    --hostname "$NAME"
    --restart on-failure
    --stop-timeout "$STOP_TIMEOUT_S"
    --user "$WORKER_UID:$WORKER_UID"
    --group-add "$(stat -c %g "$SOCKET")"
    --volume "$SOCKET:/var/run/docker.sock"
    --volume "$DATA_DIR:/data"
    --read-only --tmpfs /tmp:rw,nosuid,nodev,size=1g
    --cap-drop ALL --security-opt no-new-privileges
    --memory "$MEMORY"
    --log-driver json-file --log-opt "max-size=$LOG_MAX_SIZE" --log-opt "max-file=$LOG_MAX_FILES"
    --publish "$PUBLISH_ADDRESS:$STATUS_PORT:8080"
  )
  if [ -n "$AWS_REGION" ]; then args+=(--env "AWS_REGION=$AWS_REGION"); fi
  if [ -n "$SECRET_ID" ]; then args+=(--env "CODEC_LAB_SECRET_ID=$SECRET_ID"); fi
  if [ -n "$SANDBOX_IMAGE" ]; then args+=(--env "CODEC_LAB_SANDBOX_IMAGE=$SANDBOX_IMAGE"); fi
  if [ -n "$ENV_FILE" ]; then args+=(--env-file "$ENV_FILE"); fi
  args+=("$IMAGE" run --serve --generator "$GENERATOR")
  # RUN_ARGS is split on spaces on purpose: it holds flags and plain values.
  # shellcheck disable=SC2206
  if [ -n "$RUN_ARGS" ]; then args+=($RUN_ARGS); fi
  printf '%s\n' "${args[@]}"
}

prepare_clips() {
  install -d -o "$WORKER_UID" -g "$WORKER_UID" -m 0750 "$DATA_DIR"
  log "preparing the dev and holdout clip sets in $DATA_DIR/clips (apt-get download from Debian's archive)"
  # Root and the default network only for this one-off: apt-get needs both. The worker itself
  # runs unprivileged; the files are handed to its uid afterwards.
  docker run --rm --user 0 --volume "$DATA_DIR:/data" --entrypoint sh "$IMAGE" -c \
    "apt-get update -qq && node /app/bin/codec-lab.js clips prepare && chown -R $WORKER_UID:$WORKER_UID /data"
}

start() {
  case "$(state)" in
    running) log "$NAME is running" ;;
    missing)
      install -d -o "$WORKER_UID" -g "$WORKER_UID" -m 0750 "$DATA_DIR"
      if [ "$PREPARE_CLIPS" = 1 ] && [ ! -d "$DATA_DIR/clips/holdout" ]; then prepare_clips; fi
      mapfile -t args < <(run_args)
      docker run "${args[@]}" >/dev/null
      log "$NAME started from $IMAGE; status on $PUBLISH_ADDRESS:$STATUS_PORT"
      ;;
    *)
      docker start "$NAME" >/dev/null
      log "$NAME started again"
      ;;
  esac
}

stop() {
  if [ "$(state)" = running ]; then
    log "stopping $NAME after the attempt in flight (up to ${STOP_TIMEOUT_S} s)"
    local began=$SECONDS
    docker stop --time "$STOP_TIMEOUT_S" "$NAME" >/dev/null
    log "$NAME stopped in $((SECONDS - began)) s, exit code $(docker inspect -f '{{.State.ExitCode}}' "$NAME")"
  else
    log "$NAME is not running ($(state))"
  fi
}

replace() {
  stop
  if [ "$(state)" != missing ]; then docker rm "$NAME" >/dev/null; fi
  start
}

command=${1:-}
shift || true
case "$command" in
  install)
    install -m 0644 "$here/codec-lab-worker.service" /etc/systemd/system/codec-lab-worker.service
    sed -i "s#@REPO@#$repo#g" /etc/systemd/system/codec-lab-worker.service
    systemctl daemon-reload
    systemctl enable --now codec-lab-worker.service
    ;;
  start | resume) start ;;
  prepare-clips) prepare_clips ;;
  stop | pause) stop ;;
  restart) stop; start ;;
  upgrade)
    "$repo/scripts/build-worker-image.sh" "$@"
    replace
    ;;
  rollback)
    docker image inspect codec-lab-worker:previous >/dev/null
    docker tag codec-lab-worker:latest codec-lab-worker:rolled-back
    docker tag codec-lab-worker:previous codec-lab-worker:latest
    replace
    ;;
  status)
    docker inspect -f '{{.Name}}: {{.State.Status}}, health {{if .State.Health}}{{.State.Health.Status}}{{else}}n/a{{end}}, started {{.State.StartedAt}}, restarts {{.RestartCount}}, image {{.Config.Image}}' "$NAME" || true
    if [ "$(state)" = running ]; then docker exec "$NAME" node /app/bin/codec-lab.js status; fi
    ;;
  logs) docker logs "$@" "$NAME" ;;
  report)
    newest=$(find "$DATA_DIR" -maxdepth 1 -name 'self_governance_report_*.json' -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -1 | cut -d' ' -f2-)
    if [ -z "$newest" ]; then log "no self_governance_report_*.json in $DATA_DIR yet"; exit 1; fi
    log "$newest"
    cat "$newest"
    ;;
  backup)
    file=${1:?usage: worker.sh backup FILE.tar.gz}
    was=$(state)
    stop
    tar -C "$DATA_DIR" -czf "$file" .
    log "backed up $DATA_DIR to $file ($(du -h "$file" | cut -f1))"
    if [ "$was" = running ]; then start; fi
    ;;
  restore)
    file=${1:?usage: worker.sh restore FILE.tar.gz}
    [ -f "$file" ] || { log "no such file: $file"; exit 2; }
    was=$(state)
    stop
    aside="$DATA_DIR.before-restore.$(date +%Y%m%d%H%M%S)"
    mv "$DATA_DIR" "$aside"
    install -d -o "$WORKER_UID" -g "$WORKER_UID" -m 0750 "$DATA_DIR"
    tar -C "$DATA_DIR" -xzf "$file"
    chown -R "$WORKER_UID:$WORKER_UID" "$DATA_DIR"
    log "restored $file into $DATA_DIR (the previous data is in $aside)"
    if [ "$was" = running ]; then start; fi
    ;;
  run-args) run_args ;;
  *) sed -n '2,23p' "$0"; exit 2 ;;
esac
