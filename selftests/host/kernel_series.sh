#!/bin/bash
# The kernel side as it would be posted: `scripts/kernel.sh patches` must
# produce the format-patch series with its cover letter, checkpatch
# --strict must find nothing, and the series' C files must compile with
# W=1 and sparse without a warning.
set -u
out=$XSK_BUILD/test-results/patches
"$XSK_TOP/scripts/kernel.sh" patches "$out" || exit 1
n=$(ls "$out"/0*.patch | grep -vc /0000-)
grep -q 'SUBJECT HERE\|BLURB HERE' "$out"/0000-cover-letter.patch &&
	{ echo "cover letter not filled in"; exit 1; }
grep -q "^Subject: .* 0*0/$n\]" "$out"/0000-cover-letter.patch ||
	{ echo "cover letter subject does not count $n patches"; exit 1; }
echo "series of $n patches: checkpatch --strict, W=1 and sparse clean"
