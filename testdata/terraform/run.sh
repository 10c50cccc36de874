#!/usr/bin/env bash
# Runs the real Terraform provider against a fresh cocmock, as the README's
# Terraform section was checked: apply, plan, refresh, plan, import into a
# fresh state and plan, destroy. It cannot run in CI (the provider is not
# served by the Go module proxy); build OpenTofu and the provider first, as
# ../shared/terraform/README.md in the project's workspace says, then:
#
#   TOFU=/tmp/tfbin/tofu TF_CLI_CONFIG_FILE=/tmp/tfbin/cli.tfrc \
#     unshare -n bash testdata/terraform/run.sh [cocmock serve flags…]
#
# e.g. `--scenario lifecycle`, or `--scenario lifecycle --auth aksk --ak AK
# --sk SK` with AKSK=1. Every step's output and TF_LOG go to $OUT (a temp
# folder); the exit code is the first failing step's.
set -u
here=$(cd "$(dirname "$0")" && pwd)
TOFU=${TOFU:-tofu}
OUT=${OUT:-$(mktemp -d)}
PORT=${PORT:-18080}
mkdir -p "$OUT/full" "$OUT/import"
cp "$here"/main.tf "$here"/provider.tf "$here"/outputs.tf "$OUT/full/"
cp "$here"/provider.tf "$OUT/import/"
sed -n '/^resource "huaweicloud_coc_incident" /,/^}/p' "$here/main.tf" > "$OUT/import/main.tf"
[ "$(ip -brief link show lo 2>/dev/null | awk '{print $2}')" = DOWN ] && ip link set lo up

(cd "$here/../.." && go build -o "$OUT/cocmock" ./cmd/cocmock) || exit 1
timeout 1200 "$OUT/cocmock" serve --addr "127.0.0.1:$PORT" --seed 1 "$@" >"$OUT/cocmock.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null' EXIT
for _ in $(seq 50); do "$OUT/cocmock" health --addr "127.0.0.1:$PORT" 2>/dev/null && break; sleep 0.2; done

vars=(-var "coc_endpoint=http://127.0.0.1:$PORT/")
[ -n "${AKSK:-}" ] && vars+=(-var access_key=AK -var secret_key=SK)
window=(-var "create_time_start=$(( ($(date +%s)-600)*1000 ))" -var "create_time_end=$(( ($(date +%s)+600)*1000 ))")
rc=0
step() { # step NAME DIR WANT-EXIT TOFU-ARGS…
  local name=$1 dir=$2 want=$3; shift 3
  (cd "$dir" && TF_LOG=DEBUG TF_LOG_PATH="$OUT/$name.log" "$TOFU" "$@" -no-color) >"$OUT/$name.out" 2>&1
  local got=$?
  printf '%-16s exit %d (want %s)\n' "$name" "$got" "$want"
  if [ "$got" != "$want" ] && [ "$rc" = 0 ]; then rc=1; tail -20 "$OUT/$name.out"; fi
}
step apply   "$OUT/full" 0 apply -auto-approve "${vars[@]}" "${window[@]}"
step plan    "$OUT/full" 2 plan -detailed-exitcode "${vars[@]}" "${window[@]}"   # 2: the tasks output moves (accept → reopen); no resource changes
step refresh "$OUT/full" 0 apply -refresh-only -auto-approve "${vars[@]}" "${window[@]}"
step plan2   "$OUT/full" 0 plan -detailed-exitcode "${vars[@]}" "${window[@]}"
for r in handled acted; do
  id=$(cd "$OUT/full" && "$TOFU" state show -no-color "huaweicloud_coc_incident.$r" | sed -n 's/^ *id *= *"\(.*\)"/\1/p')
  step "import-$r" "$OUT/import" 0 import "${vars[@]}" "huaweicloud_coc_incident.$r" "$id"
done
step plan-imported "$OUT/import" 0 plan -detailed-exitcode "${vars[@]}"
step destroy "$OUT/full" 0 destroy -auto-approve "${vars[@]}" "${window[@]}"
echo "logs in $OUT"
exit $rc
