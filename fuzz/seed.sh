#!/usr/bin/env bash
# Writes seed inputs, one file per golden vector, into fuzz/seeds/<family>/.
#   seed.sh               write all seeds
#   seed.sh --dir-for T   print the seed family of target T
set -euo pipefail
cd "$(dirname "$0")"
if [ "${1:-}" = "--dir-for" ]; then
  case "$2" in
    emv_*) echo emv ;;
    *) echo "${2%%_*}" ;;
  esac
  exit 0
fi
mkdir -p seeds/emv
i=0
for f in ../crates/qrpay-core/tests/vectors/mpm_*.tsv; do
  while IFS=$'\t' read -r -a cols; do
    [[ "${cols[0]:-#}" == \#* ]] && continue
    n=${#cols[@]}
    printf '%s' "${cols[$((n - 1))]}" > "seeds/emv/$i"
    i=$((i + 1))
  done < "$f"
done
mkdir -p seeds/formats
i=0
while IFS=$'\t' read -r format expected note payload; do
  [[ "$format" == \#* || -z "$format" ]] && continue
  printf '%b' "$payload" > "seeds/formats/$i"
  i=$((i + 1))
done < ../crates/qrpay-core/tests/vectors/formats.tsv
