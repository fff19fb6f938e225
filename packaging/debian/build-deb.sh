#!/usr/bin/env bash
# Builds OUTDIR/inboxd_<version>_<arch>.deb with dpkg-deb from a `make install-files` staging
# tree (PREFIX=/usr) and the maintainer scripts beside this file. `make deb` runs it.
#   BUILT=<folder with the release inboxd and inboxctl> packaging/debian/build-deb.sh OUTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$(mkdir -p "${1:-out/deb}" && cd "${1:-out/deb}" && pwd)
: "${BUILT:?set BUILT to the folder with the release inboxd and inboxctl}"

version=$("$BUILT/inboxd" --version)
arch=$(dpkg --print-architecture)
stage=$out/stage
rm -rf "$stage"
mkdir -p "$stage/DEBIAN"
make -s -C "$repo" install-files DESTDIR="$stage" PREFIX=/usr BUILT="$BUILT"
install -d "$stage/usr/share/doc/inboxd"
gzip -9n -c "$repo/README.md" > "$stage/usr/share/doc/inboxd/README.md.gz"
install -m 0644 "$repo/docs/systemd.md" "$stage/usr/share/doc/inboxd/systemd.md"
printf 'inboxd %s\nBuilt from the inboxd repository; see README.md.gz.\n' "$version" > "$stage/usr/share/doc/inboxd/copyright"
find "$stage/usr/share/doc" -type f -exec chmod 0644 {} +

# Depends: the packages that own the shared libraries the binaries load (libc6, libsystemd0,
# libstdc++6, ...), at least the versions built against.
# Only the libraries the binaries name themselves (DT_NEEDED), not their own dependencies.
libraries() {
    local bin
    for bin in "$BUILT/inboxd" "$BUILT/inboxctl"; do
        ldd "$bin" | awk -v needed=" $(readelf -d "$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')" \
            '$2 == "=>" && $3 ~ /^\// && index(needed, " " $1 " ") {print $3}'
    done | sort -u
}
depends=$(
    libraries |
    while read -r lib; do dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || true; done |
    cut -d: -f1 | sort -u |
    while read -r pkg; do printf '%s (>= %s), ' "$pkg" "$(dpkg-query -W -f='${source:Upstream-Version}' "$pkg")"; done
)
depends=${depends%, }
[ -n "$depends" ] || { echo "build-deb: could not work out Depends from ldd" >&2; exit 1; }

cat > "$stage/DEBIAN/control" <<CONTROL
Package: inboxd
Version: $version
Architecture: $arch
Maintainer: inboxd maintainers <inboxd@localhost>
Section: net
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $depends
Recommends: systemd
Description: ingest news articles dropped into an inbox folder
 inboxd watches an inbox folder with inotify, decodes, normalizes and parses
 each article file dropped into it, recognises the same article in other bytes
 and records it once in a local JSON store. It runs under systemd (socket
 activation, watchdog, reload, journal fields) and answers on a Unix socket;
 inboxctl is its command-line client.
CONTROL
echo /etc/inboxd/inboxd.conf > "$stage/DEBIAN/conffiles"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$stage/DEBIAN/"
(cd "$stage" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

deb=$out/inboxd_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
