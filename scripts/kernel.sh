#!/bin/bash
# Kernel side of xsk-devmem: turn kernel/ (overlay files + patches + config
# fragments) into a patched Linux 6.12 tree, a bzImage and a patch series.
#
#   kernel.sh build [VARIANT]   build bzImage (VARIANT: default | debug | base)
#   kernel.sh image [VARIANT]   print the path of the built bzImage
#                               (base: the unpatched tree, the default config
#                               without the series' own options: the
#                               reference that plain AF_XDP is compared with)
#   kernel.sh patches OUTDIR    git format-patch series + cover letter, checkpatch,
#                               then `check`
#   kernel.sh check             compile the C files the series adds or changes
#                               with W=1 and sparse (C=2); any warning fails
#   kernel.sh steps             apply the series to a clean tree one patch at a
#                               time and build each step (vmlinux, default
#                               config), with W=1 and sparse on the C files the
#                               series has touched so far: every patch builds
#                               on its own
#   kernel.sh layout            pahole of the structs the series grows, on the
#                               base and default vmlinux: every member of the
#                               unpatched struct keeps its offset, or it fails
#   kernel.sh headers OUT LOUT  UAPI headers (OUT) and libbpf headers (LOUT)
#   kernel.sh xsk-selftest OUT [VARIANT]  the tree's AF_XDP selftest
#                               (xskxceiver, test_xsk.sh) built against the series
#   kernel.sh ncdevmem OUT [VARIANT]  the tree's devmem TCP tool (ncdevmem) with
#                               its ynl library, and the ynl CLI for the guest's
#                               ethtool wrapper, built out of the tree into OUT
#   kernel.sh tree              print the path of the patched source tree
#   kernel.sh export            write commits made in the series tree back
#                               into kernel/ (patches + new files)
#
# Layout of the cache (XSK_CACHE, default ~/.cache/xsk-devmem):
#   linux/          git repo: tag "base" = Debian's linux-source-6.12, pristine;
#                   branch "xsk" = base + one commit per kernel/patches/series
#                   entry. Its work tree is where series are assembled.
#   src/            git worktree checked out at the current series commit; only
#                   files that differ between two series are rewritten, so kbuild
#                   rebuilds incrementally. Builds are out of tree (O=).
#   src-base/       git worktree at tag "base", for the base variant.
#   src-steps/      git worktree for `steps`, checked out at each patch in turn
#                   (build-steps/ is its build directory).
#   build-VARIANT/  kbuild output directory per config variant.
#   images/KEY/     finished bzImage per key; KEY hashes kernel/, the scripts
#                   and the linux-source version, so an unchanged kernel is
#                   never rebuilt and a changed one always is.
#   ccache/         compiler cache (CCACHE_DIR).
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
KDIR=$TOP/kernel
CACHE=${XSK_CACHE:-$HOME/.cache/xsk-devmem}
SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
JOBS=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$CACHE
# Series commits are rebuilt often; a fixed committer date keeps their ids
# stable when nothing changed.
export GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"

# Bump when a change to this script changes the kernel it builds: it is
# part of the image key, with kernel/ and the linux-source version.
BUILD_RECIPE=1

# Commands that touch the series tree, src/ or a build directory run one
# at a time per cache; `image` only computes a path and does not wait.
lock_cache() {
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
}

log() { echo "kernel: $*" >&2; }
die() { echo "kernel: error: $*" >&2; exit 1; }

git_l() { git -C "$CACHE/linux" "$@"; }

src_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null ||
		die "linux-source-6.12 is not installed (run scripts/deps.sh)"
}

# The pristine tree as a git repository, made once per linux-source version.
ensure_base() {
	local ver; ver=$(src_version)
	if [ -f "$CACHE/linux/.xsk-base" ] &&
	   [ "$(cat "$CACHE/linux/.xsk-base")" = "$ver" ]; then
		return
	fi
	log "unpacking linux-source-6.12 $ver into $CACHE/linux (once)"
	rm -rf "$CACHE/linux" "$CACHE/src" "$CACHE/src-base"
	mkdir -p "$CACHE/linux"
	tar -xJf "$SRC_TARBALL" -C "$CACHE/linux" --strip-components=1
	# Debian's .gitignore ignores every top-level path; drop that block so
	# that new files show up in git status in the series tree.
	sed -i '/^# Debian packaging/,$d' "$CACHE/linux/.gitignore"
	git_l init -q -b xsk
	git_l config core.autocrlf false
	git_l config gc.auto 0
	git_l add -A -f
	git_l commit -q -m "Linux 6.12 (Debian linux-source-6.12 $ver)"
	git_l tag -f base >/dev/null
	git_l worktree add -q --detach "$CACHE/src" base
	echo "$ver" > "$CACHE/linux/.xsk-base"
}

# Overlay files: everything under kernel/ except the patch and config dirs.
overlay_files() {
	(cd "$KDIR" && find . -type f ! -path './patches/*' ! -path './config/*' |
		sed 's|^\./||' | LC_ALL=C sort)
}

# series lines: "PATCH [NEWFILE...]"; comments and blank lines ignored.
series_lines() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$KDIR/patches/series"
}

check_series() {
	local claimed unclaimed
	claimed=$(series_lines | awk '{for (i = 2; i <= NF; i++) print $i}' |
		  LC_ALL=C sort)
	[ -z "$(echo "$claimed" | uniq -d)" ] ||
		die "series: a file is introduced by two patches: $(echo "$claimed" | uniq -d)"
	unclaimed=$(LC_ALL=C comm -23 <(overlay_files) <(echo "$claimed"))
	[ -z "$unclaimed" ] ||
		die "series: overlay file(s) not introduced by any patch: $unclaimed"
	local missing; missing=$(LC_ALL=C comm -13 <(overlay_files) <(echo "$claimed"))
	[ -z "$missing" ] || die "series: file(s) named in series do not exist: $missing"
}

# Key of everything that decides the kernel image of a variant (the cover
# letter does not; the base variant depends on the config only).
image_key() {
	local variant=$1
	{
		src_version
		echo "$variant"
		echo "$BUILD_RECIPE"
		if [ "$variant" = base ]; then
			sha256sum "$KDIR/config/base.config"
		else
			(cd "$KDIR" && find . -type f ! -name cover-letter | LC_ALL=C sort |
				xargs sha256sum)
		fi
	} | sha256sum | cut -c1-16
}

# The options the series adds (kernel/net/xdp/Kconfig entries of its
# patches): the base variant's config leaves them out.
series_options() {
	cat "$KDIR"/patches/*.patch | sed -n 's/^+config \([A-Z0-9_]*\)$/\1/p' | LC_ALL=C sort -u
}

# The unpatched tree in src-base/ (once per linux-source version).
update_src_base() {
	ensure_base
	if [ ! -d "$CACHE/src-base" ]; then
		git_l worktree prune
		git_l worktree add -q --detach "$CACHE/src-base" base
	fi
	git -C "$CACHE/src-base" checkout -q -f --detach base
	git -C "$CACHE/src-base" clean -q -fdx
	git_l rev-parse base
}

# Assemble branch "xsk" = base + series; print its commit.
make_series() {
	ensure_base
	check_series
	local wt=$CACHE/linux
	git_l am --abort >/dev/null 2>&1 || true
	# The series tree is rebuilt from kernel/: never throw away work that
	# was not exported. Committed work stays reachable as xsk-last.
	[ -z "$(git_l status --porcelain --untracked-files=no)" ] ||
		die "uncommitted changes in $wt: commit and 'kernel.sh export' them first"
	git_l branch -f xsk-last HEAD 2>/dev/null || true
	git_l checkout -q -f -B xsk base
	git_l clean -q -fdx -e .xsk-base
	local patch files f
	local -a all; mapfile -t all < <(series_lines | awk '{print $1}')
	while read -r patch files; do
		[ -f "$KDIR/patches/$patch" ] || die "series: no such patch: $patch"
		# A patch that only adds overlay files has no diff left: git am
		# stops on it, and --allow-empty then records it as it is.
		if ! git_l am -q --keep-cr "$KDIR/patches/$patch" >/dev/null 2>&1 &&
		   ! git_l am -q --allow-empty >/dev/null 2>&1; then
			git_l am --abort >/dev/null 2>&1 || true
			die "patch does not apply: kernel/patches/$patch"
		fi
		if [ -n "$files" ]; then
			for f in $files; do
				mkdir -p "$wt/$(dirname "$f")"
				overlay_at "$f" "$patch" "${all[@]}" > "$wt/$f" ||
					die "cannot take the later changes of $f out of kernel/$f"
				git_l add -f "$f"
			done
			git_l commit -q --amend --no-edit --allow-empty
		fi
	done < <(series_lines)
	git_l rev-parse HEAD
}

# overlay_at FILE PATCH SERIES...: FILE as the patch PATCH introduces it.
# kernel/FILE is its final content; the patches after PATCH carry their
# changes to it as diffs, which come out again in reverse order.
overlay_at() {
	local f=$1 intro=$2 tmp p later=() seen=0; shift 2
	for p in "$@"; do
		[ $seen = 1 ] && later=("$p" "${later[@]}")
		[ "$p" = "$intro" ] && seen=1
	done
	tmp=$(mktemp -d)
	mkdir -p "$tmp/$(dirname "$f")"
	cp "$KDIR/$f" "$tmp/$f"
	for p in "${later[@]}"; do
		grep -q "^+++ b/$f\$" "$KDIR/patches/$p" || continue
		git -C "$tmp" apply -R --include="$f" "$KDIR/patches/$p" ||
			{ rm -rf "$tmp"; return 1; }
	done
	cat "$tmp/$f"
	rm -rf "$tmp"
}

# Check out the series in src/, touching only files that changed.
update_src() {
	local commit
	commit=$(make_series)
	git -C "$CACHE/src" checkout -q -f --detach "$commit"
	git -C "$CACHE/src" clean -q -fdx
	echo "$commit"
}

SRC=$CACHE/src
KMAKE() { make -C "$SRC" ARCH=x86_64 O="$BUILD" CC="ccache gcc" \
	HOSTCC="ccache gcc" -j"$JOBS" "$@"; }

# Every CONFIG_ line of the fragments must hold in the final .config.
verify_config() {
	local frag line sym want got bad=0
	for frag in "$@"; do
		while read -r line; do
			case "$line" in
			CONFIG_*=*) sym=${line%%=*}; want=${line#*=} ;;
			"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}; want=n ;;
			*) continue ;;
			esac
			got=$(grep -E "^$sym=|^# $sym is not set" "$BUILD/.config" || true)
			case "$got" in
			"$sym=$want") ;;
			"# $sym is not set") [ "$want" = n ] || { echo "  $sym: wanted $want, not set"; bad=1; } ;;
			"") [ "$want" = n ] || { echo "  $sym: wanted $want, absent (dependency missing?)"; bad=1; } ;;
			*) echo "  $sym: wanted $want, got ${got#*=}"; bad=1 ;;
			esac
		done < "$frag"
	done >&2
	[ $bad = 0 ] || die "config fragment not honoured by olddefconfig (see above)"
}

fragments() {
	local variant=$1 opts
	case "$variant" in
	default) echo "$KDIR/config/base.config" ;;
	debug) echo "$KDIR/config/base.config"; echo "$KDIR/config/debug.config" ;;
	base)
		opts=$(series_options | paste -sd'|')
		[ -n "$opts" ] || die "no Kconfig option found in kernel/patches"
		mkdir -p "$BUILD"
		grep -Ev "^(# )?CONFIG_($opts)[= ]" "$KDIR/config/base.config" \
			> "$BUILD/unpatched.config"
		echo "$BUILD/unpatched.config" ;;
	*) die "unknown KCONFIG variant '$variant' (default | debug | base)" ;;
	esac
}

cmd_image() {
	local variant=${1:-default}
	echo "$CACHE/images/$(image_key "$variant")/bzImage"
}

cmd_build() {
	local variant=${1:-default} key img frags
	key=$(image_key "$variant")
	img=$CACHE/images/$key/bzImage
	if [ -f "$img" ]; then
		log "$variant kernel up to date ($img)"
		echo "$img"
		return
	fi
	BUILD=$CACHE/build-$variant
	mkdir -p "$BUILD"
	mapfile -t frags < <(fragments "$variant")
	local commit
	if [ "$variant" = base ]; then
		commit=$(update_src_base)
		SRC=$CACHE/src-base
	else
		commit=$(update_src)
	fi
	log "building $variant kernel (tree ${commit:0:12}, key $key)"
	local t0=$SECONDS
	KMAKE -s tinyconfig >/dev/null
	"$CACHE/src/scripts/kconfig/merge_config.sh" -m -O "$BUILD" \
		"$BUILD/.config" "${frags[@]}" >/dev/null
	KMAKE -s olddefconfig
	verify_config "${frags[@]}"
	KMAKE -s bzImage
	mkdir -p "$CACHE/images/$key"
	cp "$BUILD/arch/x86/boot/bzImage" "$img.tmp"
	cp "$BUILD/.config" "$CACHE/images/$key/config"
	mv "$img.tmp" "$img"
	log "$variant kernel built in $((SECONDS - t0)) s: $img"
	echo "$img"
}

cmd_tree() { update_src >/dev/null; echo "$CACHE/src"; }

# UAPI headers of the patched tree (OUT/include) and the tree's libbpf
# headers for BPF programs (LIBBPF_OUT/include/bpf).
cmd_headers() {
	local out=${1:?usage: kernel.sh headers OUT LIBBPF_OUT} lout=${2:?}
	update_src >/dev/null
	mkdir -p "$out" "$lout"
	out=$(cd "$out" && pwd); lout=$(cd "$lout" && pwd)
	make -s -C "$CACHE/src" ARCH=x86_64 O="$CACHE/build-headers" \
		INSTALL_HDR_PATH="$out" headers_install
	mkdir -p "$CACHE/build-headers/libbpf"
	make -s -C "$CACHE/src/tools/lib/bpf" OUTPUT="$CACHE/build-headers/libbpf/" \
		DESTDIR="$lout" prefix= install_headers >/dev/null
}

cmd_patches() {
	local out=${1:?usage: kernel.sh patches OUTDIR} n
	make_series >/dev/null
	rm -rf "$out"; mkdir -p "$out"
	out=$(cd "$out" && pwd)
	n=$(git_l rev-list --count base..xsk)
	[ "$n" -gt 0 ] || die "empty series"
	git_l format-patch -q --cover-letter --thread=shallow \
		--subject-prefix="RFC PATCH net-next" -o "$out" base..xsk
	# Fill the cover letter from kernel/patches/cover-letter.
	local cover; cover=$(ls "$out"/0000-*.patch)
	local subject; subject=$(head -n1 "$KDIR/patches/cover-letter")
	awk -v subj="$subject" -v body="$KDIR/patches/cover-letter" '
		/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subj) }
		/\*\*\* BLURB HERE \*\*\*/ {
			skip = 1
			while ((getline l < body) > 0) if (skip) skip = 0; else print l
			next
		}
		{ print }' "$cover" > "$cover.tmp" && mv "$cover.tmp" "$cover"
	log "checkpatch --strict on $n patch(es)"
	local rc=0
	# Two checks need what this tree cannot give: UNKNOWN_COMMIT_ID looks
	# up Fixes: ids in git history (Debian's tarball has none; the ids are
	# upstream's), and FILE_PATH_CHANGES wants MAINTAINERS touched for new
	# files, which the AF_XDP entry's "F: net/xdp/" already covers.
	(cd "$CACHE/linux" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict \
		--show-types --ignore UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES \
		$(ls "$out"/0*.patch | grep -v '/0000-')) \
		> "$out/checkpatch.txt" 2>&1 || rc=$?
	grep -E '^(total|ERROR|WARNING|CHECK)' "$out/checkpatch.txt" | sed 's/^/  /' >&2
	[ $rc = 0 ] || die "checkpatch --strict reported problems ($out/checkpatch.txt)"
	log "series written to $out"
	cmd_check
}

cmd_check() {
	local objs out rc=0
	BUILD=$CACHE/build-default
	[ -f "$BUILD/.config" ] || cmd_build default >/dev/null
	update_src >/dev/null
	objs=$(git_l diff --name-only --diff-filter=AM base..xsk -- '*.c' | sed 's/\.c$/.o/')
	[ -n "$objs" ] || return 0
	log "W=1 + sparse on: $(echo $objs)"
	# shellcheck disable=SC2086
	out=$(KMAKE W=1 C=2 $objs 2>&1) || rc=$?
	[ $rc = 0 ] || { echo "$out" | tail -n 30 >&2; die "the series' C files do not compile"; }
	# Upstream files the series changes have warnings of their own (sparse
	# on net/core/filter.c, ...): only those the base tree lacks count.
	# shellcheck disable=SC2086
	local new; new=$(comm -13 <(check_warnings "$(base_warnings "$BUILD/.config" $objs)") \
		<(check_warnings "$out"))
	if [ -n "$new" ]; then
		echo "$new" >&2
		die "W=1/sparse found problems in the series' C files"
	fi
	log "W=1 + sparse: no warning the base tree does not have"
}

# The warnings and errors in compiler output, one per line as FILE: MESSAGE
# (tree prefix and line numbers dropped, so that moved code matches),
# numbered by occurrence so that comm(1) counts them as a multiset.
check_warnings() {
	grep -E 'warning:|error:' <<<"$1" |
		sed -E 's|^.*/(src[^/]*)/||; s|^([^:]*):[0-9]+:[0-9]+:|\1:|' |
		LC_ALL=C sort | awk '{ print $0 " #" ++n[$0] }' | LC_ALL=C sort
}

# base_warnings CONFIG OBJS...: W=1 + sparse output for OBJS in the
# unpatched tree (those it has), with CONFIG as far as the base tree knows
# it (one build directory per config file).
base_warnings() {
	local config=$1 o objs=() SRC BUILD; shift
	update_src_base >/dev/null
	SRC=$CACHE/src-base
	BUILD=$CACHE/build-checkbase-$(echo "$config" | md5sum | cut -c1-8)
	mkdir -p "$BUILD"
	cmp -s "$config" "$BUILD/.config.in" || {
		cp "$config" "$BUILD/.config"
		cp "$config" "$BUILD/.config.in"
		KMAKE -s olddefconfig >/dev/null 2>&1
	}
	for o in "$@"; do [ -f "$SRC/${o%.o}.c" ] && objs+=("$o"); done
	[ ${#objs[@]} = 0 ] || KMAKE W=1 C=2 "${objs[@]}" 2>&1
}

# Every patch builds on its own: check out base + the first N patches for
# N = 1, 2, ... in a worktree of their own, build vmlinux with the default
# config (options a step does not know yet are dropped by olddefconfig), and
# compile the C files changed so far with W=1 and sparse. Incremental after
# the first step; ccache makes a second run fast.
cmd_steps() {
	local wt=$CACHE/src-steps c n=0 total objs out rc subj t0 new
	make_series >/dev/null
	if [ ! -d "$wt" ]; then
		git_l worktree prune
		git_l worktree add -q --detach "$wt" base
	fi
	SRC=$wt BUILD=$CACHE/build-steps
	mkdir -p "$BUILD"
	total=$(git_l rev-list --count base..xsk)
	for c in $(git_l rev-list --reverse base..xsk); do
		n=$((n + 1))
		subj=$(git_l log -1 --format=%s "$c")
		t0=$SECONDS
		git -C "$wt" checkout -q -f --detach "$c"
		git -C "$wt" clean -q -fdx
		KMAKE -s tinyconfig >/dev/null
		"$wt/scripts/kconfig/merge_config.sh" -m -O "$BUILD" \
			"$BUILD/.config" "$KDIR/config/base.config" >/dev/null 2>&1
		KMAKE -s olddefconfig >/dev/null
		out=$(KMAKE -s vmlinux 2>&1) ||
			{ echo "$out" | tail -n 30 >&2; die "step $n/$total does not build: $subj"; }
		objs=$(git_l diff --name-only --diff-filter=AM base "$c" -- '*.c' | sed 's/\.c$/.o/')
		rc=0
		# shellcheck disable=SC2086
		[ -z "$objs" ] || out=$(KMAKE W=1 C=2 $objs 2>&1) || rc=$?
		[ $rc = 0 ] || { echo "$out" | tail -n 30 >&2; die "step $n/$total: W=1/sparse: does not compile: $subj"; }
		if [ -n "$objs" ]; then
			# shellcheck disable=SC2086
			new=$(comm -13 <(check_warnings "$(base_warnings "$BUILD/.config" $objs)") \
				<(check_warnings "$out"))
			[ -z "$new" ] || { echo "$new" >&2; die "step $n/$total: W=1/sparse found problems: $subj"; }
		fi
		log "step $n/$total builds, W=1 + sparse clean ($((SECONDS - t0)) s): $subj"
	done
}

# The structs of plain AF_XDP and XDP that the series adds fields to: each
# member of the unpatched struct must keep its offset (pahole on the base
# and default vmlinux, both built if needed), so that the hot cache lines
# of plain AF_XDP do not change.
LAYOUT_STRUCTS="xdp_sock xsk_buff_pool xdp_umem bpf_redirect_info"
cmd_layout() {
	local s v bad=0 members
	for v in base default; do
		[ -f "$CACHE/build-$v/vmlinux" ] &&
		[ -f "$CACHE/images/$(image_key "$v")/bzImage" ] || cmd_build "$v" >/dev/null
	done
	for s in $LAYOUT_STRUCTS; do
		for v in base default; do
			pahole -C "$s" "$CACHE/build-$v/vmlinux" > "$CACHE/layout-$s-$v.txt" ||
				die "pahole -C $s on the $v vmlinux failed"
		done
		# "name offset" of every member but a flexible array (size 0),
		# which moves when the struct grows at its end
		members() { awk -F'/\\*' '/;[[:space:]]*\/\*/ {
			n = $1; sub(/[[:space:]]*__attribute__.*/, "", n); sub(/;.*/, "", n)
			sub(/.*[ *]/, "", n); sub(/\[.*/, "", n)
			split($2, o, " "); if (o[2] != "0") print n, o[1] }' "$1"; }
		members "$CACHE/layout-$s-base.txt" > "$CACHE/layout-$s-base.members"
		members "$CACHE/layout-$s-default.txt" > "$CACHE/layout-$s-default.members"
		if LC_ALL=C comm -23 <(sort "$CACHE/layout-$s-base.members") \
			<(sort "$CACHE/layout-$s-default.members") | grep . >&2; then
			echo "  struct $s: the members above moved" >&2
			bad=1
		fi
		echo "struct $s: $(wc -l < "$CACHE/layout-$s-base.members") members keep their offsets;" \
			"the series adds:"
		diff "$CACHE/layout-$s-base.txt" "$CACHE/layout-$s-default.txt" |
			sed -n 's/^> *\(.*\/\*.*\*\/\)$/    \1/p' | grep -v 'cacheline\|XXX' || true
		grep -h '/\* size:' "$CACHE/layout-$s-base.txt" "$CACHE/layout-$s-default.txt" |
			sed 's/^[[:space:]]*/    base, then series: /'
	done
	[ $bad = 0 ] || die "the series moves members of plain AF_XDP's structs"
}

# Write the commits base..xsk of the series tree back into kernel/: each
# commit becomes kernel/patches/NNNN-*.patch without the files it adds, and
# the files it adds are copied (as of the tip) into the kernel/ overlay.
# A new file enters the series whole, in the patch that adds it.
cmd_export() {
	local n=0 c added f patch ex
	git_l diff --quiet HEAD || die "uncommitted changes in $CACHE/linux"
	[ "$(git_l rev-list --count base..HEAD)" -gt 0 ] ||
		die "no commits on top of base in $CACHE/linux: nothing to export"
	rm -f "$KDIR"/patches/[0-9][0-9][0-9][0-9]-*.patch
	: > "$KDIR/patches/series.new"
	for c in $(git_l rev-list --reverse base..HEAD); do
		n=$((n + 1))
		added=$(git_l diff-tree --no-commit-id -r --diff-filter=A --name-only "$c")
		# The files a commit adds go to the overlay, with their final
		# content; later commits' changes to them stay in their patches.
		ex=()
		for f in $added; do ex+=(":(exclude)$f"); done
		patch=$(git_l format-patch -1 --zero-commit --start-number "$n" \
			-o "$KDIR/patches" "$c" -- . "${ex[@]}")
		for f in $added; do
			mkdir -p "$KDIR/$(dirname "$f")"
			git_l show "HEAD:$f" > "$KDIR/$f"
		done
		echo "$(basename "$patch") $(echo $added)" >> "$KDIR/patches/series.new"
	done
	{
		echo "# Kernel patch series, applied in order on Debian's linux-source-6.12."
		echo "# PATCH [FILE...]: the patch, then the new files it adds, taken"
		echo "# from the kernel/ overlay. Written by: scripts/kernel.sh export"
		cat "$KDIR/patches/series.new"
	} > "$KDIR/patches/series"
	rm "$KDIR/patches/series.new"
	check_series
	log "exported $n commit(s) into $KDIR"
}

# The kernel tree's own AF_XDP selftest, tools/testing/selftests/bpf's
# xskxceiver with test_xsk.sh and xsk_prereqs.sh next to it (the script
# runs ./xskxceiver), built against the series tree and the default
# build's vmlinux BTF into OUT; nothing is done when OUT holds this series.
cmd_xsk_selftest() {
	local out=${1:?usage: kernel.sh xsk-selftest OUTDIR [VARIANT]} variant=${2:-default}
	local st=$CACHE/src/tools/testing/selftests/bpf commit f
	BUILD=$CACHE/build-$variant
	[ -f "$BUILD/vmlinux" ] || cmd_build "$variant" >/dev/null
	commit=$(update_src)
	[ -x "$out/xskxceiver" ] && [ "$(cat "$out/.series" 2>/dev/null)" = "$commit" ] &&
		return 0
	rm -rf "$out"; mkdir -p "$out"; out=$(cd "$out" && pwd)
	log "building the tree's AF_XDP selftest (xskxceiver) into $out"
	make -C "$st" OUTPUT="$out" VMLINUX_BTF="$BUILD/vmlinux" -j"$JOBS" \
		"$out/xskxceiver" >"$out/build.log" 2>&1 ||
		die "xskxceiver did not build ($out/build.log)"
	for f in test_xsk.sh xsk_prereqs.sh; do cp "$st/$f" "$out/"; done
	echo "$commit" >"$out/.series"
}

# The kernel tree's devmem TCP tool, tools/testing/selftests/net/ncdevmem,
# as its Makefile builds it (ynl.mk: the tree's UAPI headers first, the ynl
# C library tools/net/ynl/lib and the netdev family's generated code, the
# only one 6.12's ncdevmem uses), but entirely out of the tree: the UAPI
# headers are installed into OUT/obj (O= build), the netdev family is
# generated into OUT/obj/ynl and nothing is compiled under tools/ (the
# tree's ynl Makefiles build in place; Python writes no bytecode there).
# OUT/ynl gets a copy of the ynl CLI (cli.py, lib/) and of the netlink specs
# in the tree's layout, for nsim_ynl (selftests/lib/nsim.sh) in the guest,
# which does not see the cache. VARIANT: default or debug (the series tree)
# or base (the unpatched one); the tool is the same source in all three.
# NCDEVMEM_TREE=DIR builds from the tree DIR instead, read-only, without
# touching the cache. Nothing is done when OUT holds a build of the same
# tree by the same recipe.
cmd_ncdevmem() {
	local out=${1:?usage: kernel.sh ncdevmem OUTDIR [VARIANT]} variant=${2:-default}
	local tree commit stamp obj ynl py=/usr/bin/python3 f rc=0
	local ccflags="-std=gnu11 -O2 -g -W -Wall -Wextra -Wno-unused-parameter -Wshadow"
	if [ -n "${NCDEVMEM_TREE:-}" ]; then
		tree=$(cd "$NCDEVMEM_TREE" && pwd)
		commit=$(git -C "$tree" rev-parse HEAD 2>/dev/null || echo untracked)
	else
		lock_cache
		case "$variant" in
		default|debug) commit=$(update_src); tree=$CACHE/src ;;
		base) commit=$(update_src_base); tree=$CACHE/src-base ;;
		*) die "unknown variant '$variant' (default | debug | base)" ;;
		esac
	fi
	[ -f "$tree/tools/testing/selftests/net/ncdevmem.c" ] || die "no ncdevmem.c in $tree"
	stamp="$tree $commit $(sed -n '/^cmd_ncdevmem()/,/^}/p' "$0" | sha256sum | cut -c1-16)"
	[ -x "$out/ncdevmem" ] && [ "$(cat "$out/.series" 2>/dev/null)" = "$stamp" ] && return 0
	rm -rf "$out"; mkdir -p "$out"; out=$(cd "$out" && pwd)
	obj=$out/obj; ynl=$tree/tools/net/ynl
	mkdir -p "$obj/ynl"
	log "building the tree's devmem TCP tool (ncdevmem) into $out"
	export PYTHONDONTWRITEBYTECODE=1
	# A subshell with its own errexit, run outside any && or || list (where
	# bash would ignore errexit in it): the first failing step ends it.
	set +e
	(
		set -e
		echo "tree: $tree ($commit)"
		# UAPI headers (linux/netdev.h, dma-buf.h, udmabuf.h, uio.h with
		# dmabuf_cmsg, SO_DEVMEM_*): Debian's linux-libc-dev is 6.1.
		make -s -C "$tree" ARCH=x86_64 O="$obj/khdr" INSTALL_HDR_PATH="$obj/usr" \
			headers_install
		# The netdev family, as tools/net/ynl/generated/Makefile makes it.
		"$py" "$ynl/ynl-gen-c.py" --mode user --header \
			--spec "$tree/Documentation/netlink/specs/netdev.yaml" -o "$obj/ynl/netdev-user.h"
		"$py" "$ynl/ynl-gen-c.py" --mode user --source \
			--spec "$tree/Documentation/netlink/specs/netdev.yaml" -o "$obj/ynl/netdev-user.c"
		# shellcheck disable=SC2086
		gcc $ccflags -isystem "$obj/usr/include" -I"$ynl/lib" -c "$ynl/lib/ynl.c" \
			-o "$obj/ynl/ynl.o"
		# shellcheck disable=SC2086
		gcc $ccflags -isystem "$obj/usr/include" -I"$ynl/lib" -I"$obj/ynl" \
			-c "$obj/ynl/netdev-user.c" -o "$obj/ynl/netdev-user.o"
		rm -f "$obj/libynl.a"
		ar rcs "$obj/libynl.a" "$obj/ynl/ynl.o" "$obj/ynl/netdev-user.o"
		# Its headers beside it, for our own users of the library
		# (selftests/bench/devmem_rx.c).
		cp "$ynl/lib/ynl.h" "$ynl/lib/ynl-priv.h" "$obj/ynl/"
		# The selftest's own flags (net/Makefile) plus -Wextra; upstream's
		# warnings are logged here, not fixed: the tool is built as is.
		gcc -Wall -Wextra -Wl,--no-as-needed -O2 -g -isystem "$obj/usr/include" \
			-I"$ynl/lib" -I"$obj/ynl" "$tree/tools/testing/selftests/net/ncdevmem.c" \
			"$obj/libynl.a" -o "$out/ncdevmem"
		# The ynl CLI and the specs, in the tree's layout: cli.py finds
		# lib/ next to it, and a spec's schema two directories up.
		mkdir -p "$out/ynl/tools/net/ynl/lib" "$out/ynl/Documentation/netlink/specs"
		cp "$ynl/cli.py" "$out/ynl/tools/net/ynl/"
		cp "$ynl"/lib/*.py "$out/ynl/tools/net/ynl/lib/"
		cp "$tree"/Documentation/netlink/*.yaml "$out/ynl/Documentation/netlink/"
		for f in ethtool netdev; do
			cp "$tree/Documentation/netlink/specs/$f.yaml" \
				"$out/ynl/Documentation/netlink/specs/"
		done
	) >"$out/build.log" 2>&1
	rc=$?
	set -e
	[ $rc = 0 ] || { tail -n 20 "$out/build.log" >&2; die "ncdevmem did not build ($out/build.log)"; }
	grep -E 'warning:' "$out/build.log" | sed 's/^/  /' >&2 || true
	echo "$stamp" >"$out/.series"
}

case "${1:-}" in
build|patches|check|steps|layout|headers|tree|export|base|xsk-selftest) lock_cache ;;
esac
case "${1:-}" in
build) shift; cmd_build "$@" ;;
image) shift; cmd_image "$@" ;;
patches) shift; cmd_patches "$@" ;;
check) cmd_check ;;
steps) cmd_steps ;;
layout) cmd_layout ;;
headers) shift; cmd_headers "$@" ;;
tree) shift; cmd_tree "$@" ;;
export) cmd_export ;;
base) ensure_base ;;
xsk-selftest) shift; cmd_xsk_selftest "$@" ;;
ncdevmem) shift; cmd_ncdevmem "$@" ;;
*) sed -n '2,27s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
