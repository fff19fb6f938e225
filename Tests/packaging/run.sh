#!/usr/bin/env bash
# `make deb` and what comes out of it: dpkg-deb accepts the package, every file is where it
# belongs, the binaries run without the Swift toolchain; then (root) the package is installed
# with dpkg -i into a throw-away system under a real systemd, put through the whole systemd
# suite, upgraded and removed (Tests/systemd/run.sh --deb). Prints PASS/FAIL per check and "N passed, N failed".
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
work=$repo/out/packaging-test/$(date +%Y%m%d%H%M%S)-$$
passed=0 failed=0

check() {
    local name=$1
    why="" note=""
    if "$2"; then passed=$((passed + 1)); echo "PASS $name${note:+ ($note)}"
    else failed=$((failed + 1)); echo "FAIL $name: ${why:-failed}"; fi
}
trap 'rm -rf "$work"; rmdir "$repo/out/packaging-test" 2>/dev/null' EXIT
mkdir -p "$work"

deb=""
check_build() {
    local out
    # --no-print-directory: under a parent make (make test), "Leaving directory" would be the last line.
    out=$(make -s --no-print-directory deb DEB_OUT="$work/deb" 2>&1) || { why="make deb failed: $(tail -5 <<<"$out")"; return 1; }
    deb=$(ls "$work"/deb/*.deb 2>/dev/null | tail -1)
    [ -f "$deb" ] || { why="no package: $out"; return 1; }
    note="$(basename "$deb"), $(du -h "$deb" | cut -f1)"
}
check "make deb builds a package" check_build
[ -n "$deb" ] || { echo "$passed passed, $failed failed"; exit 1; }

check_info() {
    local info
    info=$(dpkg-deb --info "$deb") || { why="dpkg-deb --info refused it"; return 1; }
    local field
    for field in "Package: inboxd" "Architecture: $(dpkg --print-architecture)" "Depends: .*libsystemd0" "Depends: .*libc6"; do
        grep -q "^ $field" <<<"$info" || { why="control lacks '$field'"; return 1; }
    done
    [ "$(dpkg-deb --field "$deb" Version)" = "$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/inboxd > "$work/inboxd" && chmod +x "$work/inboxd" && "$work/inboxd" --version)" ] ||
        { why="Version does not match inboxd --version"; return 1; }
    # List first, then search: `grep -q` quitting early would SIGPIPE tar and fail the pipeline.
    local control
    control=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t)
    grep -q '^./conffiles$' <<<"$control" || { why="no conffiles"; return 1; }
    note="Depends: $(dpkg-deb --field "$deb" Depends)"
}
check "dpkg-deb --info: control, conffiles, version" check_info

check_contents() {
    local contents path
    contents=$(dpkg-deb --contents "$deb") || { why="dpkg-deb --contents refused it"; return 1; }
    for path in ./usr/bin/inboxd ./usr/bin/inboxctl ./usr/lib/systemd/system/inboxd.service ./usr/lib/systemd/system/inboxd.socket \
        ./usr/lib/systemd/system/inboxd@.service ./usr/lib/systemd/system/inboxd@.socket ./usr/lib/sysusers.d/inboxd.conf \
        ./usr/lib/tmpfiles.d/inboxd.conf ./etc/inboxd/inboxd.conf ./usr/share/man/man8/inboxd.8.gz ./usr/share/man/man1/inboxctl.1.gz \
        ./usr/share/bash-completion/completions/inboxctl ./usr/share/zsh/vendor-completions/_inboxctl \
        ./usr/share/fish/vendor_completions.d/inboxctl.fish ./usr/share/doc/inboxd/copyright; do
        grep -q " $path\$" <<<"$contents" || { why="missing $path"; return 1; }
    done
    grep -q 'root/root' <<<"$contents" && ! grep -v 'root/root' <<<"$contents" | grep -q . || { why="files not owned by root"; return 1; }
    note="binaries, 4 units, sysusers.d, tmpfiles.d, config, 2 man pages, 3 completions, all root-owned"
}
check "dpkg-deb --contents: every file where it belongs" check_contents

check_extracted() {
    local x=$work/x
    dpkg-deb -x "$deb" "$x" || { why="dpkg-deb -x failed"; return 1; }
    local libs
    libs=$(ldd "$x/usr/bin/inboxd" "$x/usr/bin/inboxctl")
    if grep -q libswift <<<"$libs"; then why="the binaries need the Swift toolchain's libraries"; return 1; fi
    env -i "$x/usr/bin/inboxctl" --help >/dev/null || { why="inboxctl --help failed without the toolchain on PATH"; return 1; }
    grep -q '^ExecStart=/usr/bin/inboxd --config /etc/inboxd/inboxd.conf$' "$x/usr/lib/systemd/system/inboxd.service" || { why="ExecStart"; return 1; }
    bash -n "$x/usr/share/bash-completion/completions/inboxctl" || { why="bash completion does not parse"; return 1; }
    grep -q '^#compdef inboxctl' "$x/usr/share/zsh/vendor-completions/_inboxctl" || { why="zsh completion"; return 1; }
    grep -q "^complete -c 'inboxctl'" "$x/usr/share/fish/vendor_completions.d/inboxctl.fish" || { why="fish completion"; return 1; }
    local warnings
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$x/usr/share/man/man8/inboxd.8.gz" "$x/usr/share/man/man1/inboxctl.1.gz" 2>&1 >/dev/null)
    [ -z "$warnings" ] || { why="man page warnings: $warnings"; return 1; }
    note="static Swift runtime (ldd: $(ldd "$x/usr/bin/inboxd" | awk '{print $1}' | tr '\n' ' ')), completions parse, man pages render cleanly"
}
check "the extracted files work" check_extracted

if [ "$(id -u)" = 0 ]; then
    echo "--- the package under a real systemd (Tests/systemd/run.sh --deb)"
    if bash Tests/systemd/run.sh --deb "$deb"; then passed=$((passed + 1)); echo "PASS install, use and remove the package under systemd"
    else failed=$((failed + 1)); echo "FAIL install, use and remove the package under systemd"; fi
else
    echo "SKIP install under systemd: needs root"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
