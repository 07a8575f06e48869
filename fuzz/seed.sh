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
# One family per format for its own target (cpm_*, epc_*, swiss_*, upi_*, spayd_*, bip21_*),
# valid and broken vectors alike; CPM also as the raw BER-TLV its base64 carries.
for family in cpm epc swiss upi spayd bip21; do mkdir -p "seeds/$family"; done
i=0
while IFS=$'\t' read -r format expected note payload; do
  [[ "$format" == \#* || -z "$format" ]] && continue
  case "$format" in
    emv-cpm) family=cpm ;;
    swiss-qr-bill) family=swiss ;;
    *) family=$format ;;
  esac
  printf '%b' "$payload" > "seeds/$family/$i"
  if [ "$family" = cpm ]; then
    printf '%s' "$payload" | base64 -d > "seeds/cpm/$i.ber" 2>/dev/null || rm -f "seeds/cpm/$i.ber"
  fi
  # EPC in an ISO 8859 set (line 3 is 2-8): also the bytes a QR code carries in that set.
  if [ "$family" = epc ]; then
    case "$(printf '%b' "$payload" | sed -n 3p | tr -d '\r')" in
      2) cs=ISO-8859-1 ;; 3) cs=ISO-8859-2 ;; 4) cs=ISO-8859-4 ;; 5) cs=ISO-8859-5 ;;
      6) cs=ISO-8859-7 ;; 7) cs=ISO-8859-10 ;; 8) cs=ISO-8859-15 ;; *) cs= ;;
    esac
    if [ -n "$cs" ]; then
      printf '%b' "$payload" | iconv -f UTF-8 -t "$cs" > "seeds/epc/$i.bytes" 2>/dev/null \
        || rm -f "seeds/epc/$i.bytes"
    fi
  fi
  i=$((i + 1))
done < ../crates/qrpay-core/tests/vectors/formats.tsv
# decode_any sees everything: every EMV MPM vector and every other format's.
mkdir -p seeds/any
cp seeds/emv/* seeds/any/
for family in cpm epc swiss upi spayd bip21; do
  for f in "seeds/$family"/*; do
    [[ "$f" == *.ber ]] || cp "$f" "seeds/any/$family-$(basename "$f")"
  done
done
# Scanner seeds: the small real photos (under the 4 KiB input cap), when shared/ is beside us.
mkdir -p seeds/scan
photos=../../shared/data/photos
if [ -d "$photos" ]; then
  find "$photos" -type f \( -name '*.png' -o -name '*.webp' -o -name '*.jpg' \) -size -4k \
    -exec cp {} seeds/scan/ \;
fi
# Inputs that once crashed a target (named TARGET-what), replayed with that target's seeds.
for f in ../crates/qrpay-core/tests/vectors/fuzz_regressions/*; do
  [ -f "$f" ] || continue
  target=$(basename "$f"); target=${target%%-*}
  family=$(./seed.sh --dir-for "$target")
  mkdir -p "seeds/$family" && cp "$f" "seeds/$family/regression-$(basename "$f")"
done
