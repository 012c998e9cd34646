# Sourced by the oracle scripts: resolves the lkm command into LKM_CMD (array) and LKM (string).
# Order: $LKM_OPT (--lkm), then $LKM, then the Release or Debug build under $REPO. Needs die() and REPO.
resolve_lkm_command() {
  if [[ -n "${LKM_OPT:-}" ]]; then LKM=$LKM_OPT
  elif [[ -z "${LKM:-}" ]]; then
    for cfg in Release Debug; do
      dll="$REPO/src/Cli/bin/$cfg/net10.0/lkm.dll"
      if [[ -f "$dll" ]]; then LKM="dotnet $dll"; break; fi
    done
    [[ -n "${LKM:-}" ]] || die "no lkm build found under $REPO/src/Cli/bin/{Release,Debug}/net10.0; build it or pass --lkm CMD"
  fi
  read -r -a LKM_CMD <<<"$LKM"
  ((${#LKM_CMD[@]})) || die "empty lkm command"
  # The tools may run in another directory, so make relative paths in the command (./lkm, bin/x/lkm.dll) absolute.
  for i in "${!LKM_CMD[@]}"; do
    w=${LKM_CMD[$i]}
    if [[ "$w" == */* && "$w" != /* && -e "$w" ]]; then LKM_CMD[$i]="$(cd "$(dirname "$w")" && pwd)/$(basename "$w")"; fi
  done
  LKM="${LKM_CMD[*]}"
  command -v "${LKM_CMD[0]}" >/dev/null || die "lkm command not found: ${LKM_CMD[0]}"
}
