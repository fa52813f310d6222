#!/bin/sh
# Fails on purpose: selftests/host/harness_vm.sh checks that the VM runner
# reports it and fails the run. Not in selftests/vm/TESTS.
echo "this test fails on purpose"
exit 1
