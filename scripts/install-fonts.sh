#!/usr/bin/env bash
# Install Debian font families used by the synthetic line renderer (textlens.synth).
# More fonts = smaller synthetic-to-real gap. Safe to run anywhere: it skips quietly when
# not root, when apt is missing, or when apt fails (the renderer then falls back to the
# DejaVu fonts shipped with matplotlib).
set -u

CANDIDATES=(
  fonts-dejavu fonts-dejavu-extra fonts-liberation fonts-liberation2 fonts-freefont-ttf
  fonts-noto-core fonts-noto-mono fonts-noto-extra fonts-urw-base35 fonts-croscore
  fonts-crosextra-carlito fonts-crosextra-caladea fonts-roboto fonts-roboto-unhinted
  fonts-open-sans fonts-ubuntu fonts-inconsolata fonts-cantarell fonts-lato fonts-texgyre
  fonts-linuxlibertine fonts-ebgaramond fonts-firacode fonts-hack fonts-jetbrains-mono
  fonts-go fonts-ibm-plex fonts-source-code-pro fonts-adobe-sourcesans3 fonts-cascadia-code
  fonts-anonymous-pro fonts-courier-prime fonts-freefont-otf fonts-gfs-didot fonts-junicode
  fonts-comic-neue fonts-oflb-asana-math fonts-quicksand fonts-league-spartan fonts-mononoki
  fonts-overpass fonts-paratype fonts-sil-gentium fonts-sil-gentiumplus fonts-sil-charis
  fonts-sil-andika fonts-sil-doulos fonts-stix fonts-cmu fonts-lmodern fonts-montserrat
  fonts-oxygen fonts-recommended fonts-terminus-otb fonts-bebas-neue fonts-dseg
  fonts-agave fonts-fantasque-sans fonts-noto-ui-core
  fonts-gfs-neohellenic fonts-gfs-porson fonts-gfs-artemisia fonts-gfs-bodoni-classic
  fonts-hosny-amiri fonts-sil-scheherazade fonts-kacst fonts-arabeyes
)

if [ "$(id -u)" != "0" ]; then
  echo "install-fonts: not root, skipping (run as root to install font packages)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-fonts: apt-get not found, skipping" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || echo "install-fonts: apt-get update failed, using cached lists" >&2

available=()
for pkg in "${CANDIDATES[@]}"; do
  case "$pkg" in *-) continue ;; esac
  # apt-cache policy prints a candidate version only for installable packages.
  cand=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
  if [ -n "$cand" ] && [ "$cand" != "(none)" ]; then
    available+=("$pkg")
  fi
done

if [ ${#available[@]} -eq 0 ]; then
  echo "install-fonts: no font packages available from apt, skipping" >&2
  exit 0
fi
echo "install-fonts: installing ${#available[@]} packages: ${available[*]}" >&2
if ! apt-get install -y -qq --no-install-recommends "${available[@]}" >/dev/null; then
  echo "install-fonts: apt-get install failed, skipping" >&2
  exit 0
fi
command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1
rm -f "${XDG_CACHE_HOME:-$HOME/.cache}/textlens/fonts-"*.json 2>/dev/null
echo "install-fonts: done" >&2
exit 0
