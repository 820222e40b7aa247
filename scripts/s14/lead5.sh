# Session 14 call 5: call 4's steps on an H100 (the rule was first read from H200 numbers).
TAR=lead5.tgz source scripts/s14/lead4.sh
