#!/usr/bin/env bash
# Runs a chancery testnet as local processes, one per validator: what
# `make testnet` and `make testnet-stop` do.
#
#   deploy/local-testnet.sh start BIN DIR [N [TESTNET FLAGS…]]
#       creates DIR with `BIN testnet --validators N --out DIR --demo FLAGS`
#       unless it exists, starts every DIR/node<i> in the background (log in
#       DIR/node<i>.log, pid in DIR/node<i>.pid) and waits until each is ready
#   deploy/local-testnet.sh stop DIR
#       sends SIGTERM to each node it started and waits for it to exit
set -euo pipefail

usage() { sed -n '2,12p' "$0" >&2; exit 2; }

# pid_of prints the pid in a pid file if that process is still the node
# started on that home: a pid can be reused once its process is gone.
pid_of() {
	local pidfile=$1 home=$2 pid
	[[ -f "$pidfile" ]] || return 1
	pid=$(<"$pidfile")
	[[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "start --home $home " || return 1
	echo "$pid"
}

http_addr() { sed -n 's/^addr = "\(.*\)".*/\1/p' "$1/config/chancery.toml" | head -1; }

start() {
	local bin=$1 dir=$2 n=${3:-4}
	shift $(( $# < 3 ? $# : 3 ))
	if [[ ! -f "$dir/node0/config/genesis.json" ]]; then
		"$bin" testnet --validators "$n" --out "$dir" --demo "$@"
	fi
	local home name pid
	for home in "$dir"/node*/; do
		home=${home%/}
		name=$(basename "$home")
		if pid=$(pid_of "$dir/$name.pid" "$home"); then
			echo "$name is already running (pid $pid)"
			continue
		fi
		nohup "$bin" start --home "$home" >>"$dir/$name.log" 2>&1 &
		echo $! >"$dir/$name.pid"
	done
	for home in "$dir"/node*/; do
		home=${home%/}
		name=$(basename "$home")
		local url="http://$(http_addr "$home")" tries=0
		until "$bin" health --url "$url" >/dev/null 2>&1; do
			if ! pid_of "$dir/$name.pid" "$home" >/dev/null; then
				echo "$name exited; the end of $dir/$name.log:" >&2
				tail -5 "$dir/$name.log" >&2
				exit 1
			fi
			if (( ++tries > 120 )); then
				echo "$name is not ready at $url after 60s: $("$bin" health --url "$url" 2>&1 || true)" >&2
				exit 1
			fi
			sleep 0.5
		done
		echo "$name ready at $url (log: $dir/$name.log)"
	done
	if [[ -f "$dir/node0/demo-users.txt" ]]; then
		echo "Users, passwords and API tokens (valid on every node): $dir/node0/demo-users.txt"
	fi
	echo "Stop with: make testnet-stop"
}

stop() {
	local dir=$1 pidfile home pid stopped=()
	for pidfile in "$dir"/node*.pid; do
		[[ -e "$pidfile" ]] || continue
		home="$dir/$(basename "$pidfile" .pid)"
		if pid=$(pid_of "$pidfile" "$home"); then
			kill -TERM "$pid"
			stopped+=("$pid:$pidfile")
		else
			rm -f "$pidfile"
		fi
	done
	local entry tries
	for entry in "${stopped[@]}"; do
		pid=${entry%%:*} pidfile=${entry#*:}
		tries=0
		while kill -0 "$pid" 2>/dev/null; do
			if (( ++tries > 60 )); then
				echo "$(basename "$pidfile" .pid) (pid $pid) has not stopped after 30s; see its log" >&2
				exit 1
			fi
			sleep 0.5
		done
		rm -f "$pidfile"
		echo "$(basename "$pidfile" .pid) stopped"
	done
	if (( ${#stopped[@]} == 0 )); then
		echo "no testnet node is running in $dir"
	fi
}

case "${1:-}" in
start) [[ $# -ge 3 ]] || usage; shift; start "$@" ;;
stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
*) usage ;;
esac
