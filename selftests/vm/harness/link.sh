#!/bin/sh
# Says the link it was given: selftests/host/harness_vm.sh runs it as
# vm/harness/link.sh and vm/harness/link.sh@nsim and reads its logs.
# Not in selftests/vm/TESTS.
echo "XSK_LINK=${XSK_LINK:-unset}"
