#!/bin/sh
# One-shot job `temporal-namespace` of docker-compose.yml (image temporalio/admin-tools). Waits
# until the Temporal server reports healthy, makes sure the namespace the workers use exists, then
# waits until the server resolves it, so workers that start after this job find it at once.
# Registers the search attributes `agent-fanout list` finds runs by (src/contracts/search-attributes.ts).
# Temporal Server images create no namespace themselves (`default` exists only on the dev server).
#
# Safe to rerun: an existing namespace is left as it is; its retention is not changed.
# Environment: TEMPORAL_ADDRESS (required), TEMPORAL_NAMESPACE (default `default`),
# NAMESPACE_RETENTION (default 72h), SETUP_ATTEMPTS (default 90, two seconds apart).
set -eu

address=${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS must name the Temporal frontend, e.g. temporal:7233}
namespace=${TEMPORAL_NAMESPACE:-default}
retention=${NAMESPACE_RETENTION:-72h}
attempts=${SETUP_ATTEMPTS:-90}

# Runs "$@" until it succeeds, at most $attempts times; $1 says what is awaited.
retry() {
  what=$1
  shift
  try=1
  until "$@" >/dev/null 2>&1; do
    if [ "$try" -ge "$attempts" ]; then
      echo "create-namespace: gave up waiting for ${what} at ${address} after ${attempts} tries" >&2
      return 1
    fi
    try=$((try + 1))
    sleep 2
  done
}

ensure_namespace() {
  temporal operator namespace describe --address "$address" --namespace "$namespace" ||
    temporal operator namespace create --address "$address" --namespace "$namespace" --retention "$retention"
}

# Creates search attribute $1 of type $2 unless the namespace has it.
ensure_search_attribute() {
  temporal operator search-attribute list --address "$address" --namespace "$namespace" | grep -qw "$1" ||
    temporal operator search-attribute create --address "$address" --namespace "$namespace" --name "$1" --type "$2"
}

retry "a healthy Temporal server" temporal operator cluster health --address "$address"
retry "namespace '${namespace}' to exist" ensure_namespace
for attribute in FanoutPlan=Keyword FanoutRepo=Keyword FanoutStatus=Keyword FanoutUnitsDone=Int FanoutUnitsTotal=Int; do
  retry "search attribute ${attribute%=*}" ensure_search_attribute "${attribute%=*}" "${attribute#*=}"
done
# A new namespace reaches the server's namespace cache a few seconds after it is stored; listing
# workflows goes through that cache, as a worker's polls do.
retry "namespace '${namespace}' to be served" \
  temporal workflow list --address "$address" --namespace "$namespace" --limit 1
echo "create-namespace: namespace '${namespace}' is ready at ${address}"
