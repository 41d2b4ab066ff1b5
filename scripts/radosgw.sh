#!/usr/bin/env bash
# A throwaway one-node Ceph (monitor, memstore OSD, radosgw) on 127.0.0.1 for
# the S3 conformance suite (test/s3). Everything it creates lives under <dir>.
#
#   scripts/radosgw.sh start <dir>   prints the S3 endpoint (also in <dir>/endpoint)
#   scripts/radosgw.sh stop <dir>    ends every process start recorded in <dir>/pids
#
# Needs Debian's packages: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd
# (they bring ceph-common and ceph-base). Runs as any user that can write <dir>;
# installing the packages needs root.
#
# Environment:
#   RADOSGW_ACCESS_KEY, RADOSGW_SECRET_KEY  keys of the S3 user it creates
#   RADOSGW_OWNER_PID  if set, a watchdog stops the cluster when that process
#                      ends (a test runner killed before its teardown)
#
# start first stops whatever an earlier start left in <dir>, so it can be run
# again on the same folder; each start picks free ports, so several clusters
# can run side by side. A failed start stops what it started and shows the log
# of the step that failed. Data is in memory (memstore): stop loses it.
set -euo pipefail

PACKAGES='radosgw ceph-mon ceph-osd'
ACCESS_KEY=${RADOSGW_ACCESS_KEY:-dudao-conformance}
SECRET_KEY=${RADOSGW_SECRET_KEY:-dudao-conformance-secret}
SCRIPT=$(readlink -f "$0")

log() { printf '[radosgw.sh %3ss] %s\n' "$SECONDS" "$*" >&2; }
die() {
  printf 'radosgw.sh: %s\n' "$*" >&2
  exit 1
}
usage() { die "usage: $0 start|stop <dir>"; }

# Each tool and the Debian package that ships it.
require_tools() {
  local entry tool package
  for entry in radosgw:radosgw radosgw-admin:ceph-common ceph-mon:ceph-mon ceph-osd:ceph-osd \
    ceph:ceph-common ceph-authtool:ceph-common monmaptool:ceph-base; do
    tool=${entry%%:*} package=${entry#*:}
    command -v "$tool" >/dev/null 2>&1 ||
      die "$tool is not installed (Debian package $package): apt-get install -y --no-install-recommends $PACKAGES"
  done
  command -v node >/dev/null 2>&1 || die "node is not on PATH (used to find free ports)"
  command -v timeout >/dev/null 2>&1 || die "timeout is not on PATH (coreutils)"
}

# --- stop ------------------------------------------------------------------

# Whether pid is alive and is one of ours: its command line names <dir>/
# (every daemon gets --conf <dir>/ceph.conf), so a reused pid is never killed.
ours() {
  local cmdline
  cmdline=$({ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null) || return 1
  [[ $cmdline == *"$DIR/"* ]]
}

stop_cluster() {
  [[ -d $DIR/pids ]] || return 0
  local name file pid deadline
  # One at a time, in this order: an OSD whose monitor is already gone waits
  # seconds to report its own shutdown.
  for name in watchdog radosgw osd mon; do
    file=$DIR/pids/$name
    [[ -f $file ]] || continue
    pid=$(<"$file")
    # The watchdog becomes `stop` itself: never signal this process.
    if [[ $pid =~ ^[0-9]+$ && $pid != "$$" ]] && ours "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
      while ours "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
      if ours "$pid"; then
        log "$name (pid $pid) still runs 10 s after SIGTERM: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
    rm -f "$file"
  done
}

# --- start -----------------------------------------------------------------

STEP=''
STEP_LOGS=()
STARTED=0

on_exit() {
  local status=$?
  ((STARTED == 0 && status != 0)) || return 0
  printf 'radosgw.sh: start failed while %s (exit %s)\n' "$STEP" "$status" >&2
  local file
  for file in "${STEP_LOGS[@]}"; do
    [[ -s $file ]] || continue
    printf -- '--- last lines of %s\n' "$file" >&2
    tail -n 20 "$file" >&2
  done
  stop_cluster
  printf 'radosgw.sh: stopped what had started; logs are in %s/log\n' "$DIR" >&2
}

# step <what> [<log>...]: the logs to show if this step fails.
step() {
  STEP=$1
  STEP_LOGS=("${@:2}")
  log "$STEP"
}

# wait_for <seconds> <what> <command...>: retries the command once a second.
wait_for() {
  local limit=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what: not ready after ${limit} s"
    sleep 1
  done
}

# launch <name> <command...>: a daemon in the foreground of a background job,
# so its pid is exact (no pid files written after a fork).
launch() {
  local name=$1
  shift
  "$@" </dev/null >>"$DIR/log/$name.out" 2>&1 &
  echo $! >"$DIR/pids/$name"
}

alive() { ours "$(<"$DIR/pids/$1")"; }

free_ports() {
  node -e '
    const net = require("node:net");
    const open = () => new Promise((resolve) => { const s = net.createServer().listen(0, "127.0.0.1", () => resolve(s)); });
    Promise.all([open(), open()]).then((servers) => {
      console.log(servers.map((s) => s.address().port).join(" "));
      for (const s of servers) s.close();
    });'
}

http_ok() {
  # Anonymous GET / answers 200 (an empty bucket list) once radosgw serves S3.
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1"
    printf "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
    IFS= read -r status <&3
    [[ $status == "HTTP/1.1 200"* ]]' _ "$1" 2>/dev/null
}

ceph_cli() { timeout 20 ceph --connect-timeout 10 "$@"; }

osd_up() { ceph_cli osd stat -f json | grep -q '"num_up_osds":1'; }

write_config() {
  cat >"$CEPH_CONF" <<CONF
# Written by scripts/radosgw.sh: one monitor, one in-memory OSD, one radosgw, loopback only.
[global]
fsid = $FSID
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
public network = 127.0.0.0/8
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
mon warn on insecure global id reclaim allowed = false
mon data avail warn = 1
mon data avail crit = 0
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
# A monitor batches map changes for 1 s by default; radosgw-admin's first run
# makes a dozen of them (pools, applications) one after another.
paxos propose interval = 0.1
paxos min wait = 0.01
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
keyring = $DIR/keyring
mon data = $DIR/mon/\$cluster-\$id
osd data = $DIR/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = 1073741824
# rgw's object names are longer than the filestore-era defaults allow.
osd max object name len = 460
osd max object namespace len = 64
# The script puts the OSD into the CRUSH map itself: a just-started OSD's own
# placement command can reach the monitor before it knows the cluster's fsid
# ("wrong fsid") and the OSD then exits.
osd crush update on start = false
osd class update on start = false
[client]
# Short-lived CLI clients (ceph, radosgw-admin) need no admin socket.
admin socket =
[client.rgw.a]
admin socket = $DIR/run/\$name.asok
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw dns name = 127.0.0.1
rgw init timeout = 60
rgw enable lc threads = false
CONF
}

start_cluster() {
  require_tools
  # Unix sockets (admin sockets) have a 107-byte path limit.
  ((${#DIR} <= 80)) || die "<dir> is too long for Ceph's admin sockets (${#DIR} > 80 characters): $DIR"
  trap on_exit EXIT
  # Interrupted (Ctrl-C, a caller's timeout): exit, so on_exit cleans up.
  trap 'exit 130' INT
  trap 'exit 143' TERM

  step 'stopping what an earlier start left'
  stop_cluster
  rm -rf "$DIR/mon" "$DIR/osd" "$DIR/run" "$DIR/log" "$DIR/pids" "$DIR/keyring" "$DIR/monmap" \
    "$DIR/ceph.conf" "$DIR/endpoint"
  mkdir -p "$DIR/mon/ceph-a" "$DIR/osd/ceph-0" "$DIR/run" "$DIR/log" "$DIR/pids"

  step 'choosing free ports'
  read -r MON_PORT RGW_PORT < <(free_ports)
  [[ $MON_PORT =~ ^[0-9]+$ && $RGW_PORT =~ ^[0-9]+$ ]] || die 'could not find two free ports'
  FSID=$(</proc/sys/kernel/random/uuid)
  export CEPH_CONF=$DIR/ceph.conf
  write_config

  if [[ -n ${RADOSGW_OWNER_PID:-} ]]; then
    # Lives until the owner ends, then becomes `stop` (a normal stop ends it first).
    # shellcheck disable=SC2016 # expanded by the inner bash
    launch watchdog bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; exec "$2" stop "$3"' \
      radosgw-watchdog "$RADOSGW_OWNER_PID" "$SCRIPT" "$DIR/"
  fi

  step "creating and starting the monitor on 127.0.0.1:$MON_PORT" \
    "$DIR/log/mon.mkfs.out" "$DIR/log/mon.out" "$DIR/log/mon.a.log"
  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$DIR/keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$DIR/monmap" >/dev/null
  timeout 60 ceph-mon --mkfs -i a --monmap "$DIR/monmap" >>"$DIR/log/mon.mkfs.out" 2>&1
  launch mon ceph-mon -f -i a --conf "$CEPH_CONF"
  wait_for 30 'the monitor' ceph_cli mon stat

  step 'creating and starting the OSD (memstore)' \
    "$DIR/log/osd.mkfs.out" "$DIR/log/osd.out" "$DIR/log/osd.0.log"
  local osd_uuid osd_id
  osd_uuid=$(</proc/sys/kernel/random/uuid)
  osd_id=$(ceph_cli osd new "$osd_uuid")
  [[ $osd_id == 0 ]] || die "expected OSD id 0, the monitor gave '$osd_id'"
  ceph_cli osd crush add osd.0 1.0 root=default >/dev/null 2>&1
  timeout 60 ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" --conf "$CEPH_CONF" >>"$DIR/log/osd.mkfs.out" 2>&1
  launch osd ceph-osd -f -i 0 --conf "$CEPH_CONF"
  wait_for 60 'the OSD' osd_up

  # radosgw-admin creates the zone and its pools, then the user.
  step "creating the S3 user (access key $ACCESS_KEY)" "$DIR/log/user.err" "$DIR/log/client.admin.log"
  timeout 120 radosgw-admin --conf "$CEPH_CONF" user create --uid=dudao --display-name='dudao conformance' \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >"$DIR/log/user.json" 2>"$DIR/log/user.err"

  step "starting radosgw on 127.0.0.1:$RGW_PORT" "$DIR/log/radosgw.out" "$DIR/log/client.rgw.a.log"
  launch radosgw radosgw -f -n client.rgw.a --conf "$CEPH_CONF"
  local deadline=$((SECONDS + 60)) status=0
  until http_ok "$RGW_PORT"; do
    if ! alive radosgw; then
      wait "$(<"$DIR/pids/radosgw")" || status=$?
      die "radosgw exited with status $status before answering on 127.0.0.1:$RGW_PORT"
    fi
    ((SECONDS < deadline)) || die "radosgw does not answer on 127.0.0.1:$RGW_PORT after 60 s"
    sleep 0.5
  done

  echo "http://127.0.0.1:$RGW_PORT" >"$DIR/endpoint"
  STARTED=1
  log "S3 endpoint http://127.0.0.1:$RGW_PORT ready"
  cat "$DIR/endpoint"
}

(($# == 2)) || usage
[[ -n $2 ]] || usage
case $1 in
start)
  mkdir -p "$2"
  DIR=$(readlink -f "$2")
  start_cluster
  ;;
stop)
  [[ -d $2 ]] || exit 0
  DIR=$(readlink -f "$2")
  stop_cluster
  ;;
*) usage ;;
esac
