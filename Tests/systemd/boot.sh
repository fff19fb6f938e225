#!/usr/bin/env bash
# Runs inside `unshare --pid --fork --mount --cgroup --uts --ipc --net` (see run.sh): prepares a
# throw-away system (fresh tmpfs on /run /tmp /var/*, /etc and /usr as overlays whose writes land
# in /run), installs inboxd into it with the real `make install-files`, then becomes a real
# systemd as PID 1 with ONLY the test units (never the default units: their sysinit.target would
# clean the host's /tmp). Nothing here reaches the host: the mount namespace is private.
#   boot.sh WORK BIN_DIR REPO [DEB]     (with DEB: install that package with dpkg -i instead)
set -euo pipefail
work=$1 bin_dir=$2 repo=$3 deb=${4:-}
t=/run/inboxd-test
unit_path=$t/units

mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p "$t"
# dpkg's database, copied before /var/lib is hidden: dpkg -i writes to the copy only.
[ -z "$deb" ] || cp -a /var/lib/dpkg "$t"/dpkg
for dir in /tmp /var/tmp /var/lib /var/cache /var/log; do mount -t tmpfs -o mode=0755 tmpfs "$dir"; done
chmod 1777 /tmp /var/tmp
mkdir -p "$t"/units "$t"/ovl/etc/upper "$t"/ovl/etc/work "$t"/ovl/usr/upper "$t"/ovl/usr/work
# Writes to /etc (the inboxd group, /etc/inboxd) and /usr (binaries, units, man pages) go to /run.
mount -t overlay overlay -o lowerdir=/etc,upperdir="$t"/ovl/etc/upper,workdir="$t"/ovl/etc/work /etc
mount -t overlay overlay -o lowerdir=/usr,upperdir="$t"/ovl/usr/upper,workdir="$t"/ovl/usr/work /usr

if [ -n "$deb" ]; then
    # The package, as an administrator installs it: its postinst creates the user, /run/inboxd
    # and enables inboxd.socket (systemd is not running yet, so nothing is started here).
    mkdir /var/lib/dpkg
    mount --bind "$t"/dpkg /var/lib/dpkg
    # A Docker-style policy-rc.d (exit 101) on this machine would stop the maintainer scripts
    # from starting or stopping units; a real Debian system has none (removed in the overlay).
    rm -f /usr/sbin/policy-rc.d
    # An empty /etc/systemd/system, so the manager sees what the package enables and nothing of
    # the host's: the postinst's sockets.target.wants/inboxd.socket link starts the socket at boot.
    mount -t tmpfs -o mode=0755 tmpfs /etc/systemd/system
    unit_path=$t/units:/etc/systemd/system
    dpkg -i "$deb"
    echo "dpkg -i: exit 0"
else
    # The real install (the build was done before): binaries, units, config, man pages,
    # completions, sysusers.d and tmpfiles.d, exactly where a package puts them.
    make -s -C "$repo" install-files DESTDIR=/ PREFIX=/usr BUILT="$bin_dir"
    systemd-sysusers inboxd.conf
    systemd-tmpfiles --create inboxd.conf
fi

# The unit path: the installed units (linked, unchanged), the test drop-in, stub targets, journald.
cp -r "$work"/units/. "$t"/units/
for unit in inboxd.service inboxd.socket inboxd@.service inboxd@.socket; do
    ln -s /usr/lib/systemd/system/"$unit" "$t"/units/"$unit"
done

mount --bind "$work"/console.log /dev/console
umount -R /sys/fs/cgroup
mount -t cgroup2 cgroup2 /sys/fs/cgroup
exec env -i container=inboxd-test SYSTEMD_UNIT_PATH="$unit_path" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    /lib/systemd/systemd --system --unit=test.target --show-status=no --log-target=journal
