# Sourced by dist_train.sh and dist_test.sh: sets PORT for torchrun.
# Unset on a single node: a free port is picked, so two runs on one machine
# do not collide. Set (or multi-node, where every node must agree): it is
# used as given, after checking on this machine that it is free.
port_is_free() {
    python -c 'import socket, sys
s = socket.socket()
s.bind(("", int(sys.argv[1])))' "$1" 2>/dev/null
}

if [ -z "$PORT" ] && [ "${NNODES:-1}" = "1" ]; then
    PORT=$(python -c 'import socket
s = socket.socket()
s.bind(("", 0))
print(s.getsockname()[1])')
else
    PORT=${PORT:-29500}
    if [ "${NODE_RANK:-0}" = "0" ] && ! port_is_free "$PORT"; then
        echo "error: port $PORT is in use (another run?); set PORT to a" \
            "free port, e.g. PORT=$((PORT + 1)) $0 ..." >&2
        exit 1
    fi
fi
