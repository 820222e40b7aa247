set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m2_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'synthetic-18m: decode, tpot_ms'
$d0 << EOD
-0.06 0.47500909 0.463976601 0.48604158
0.94 1.18437113 -0.895290972 3.26403323
1.94 0.990149181 0.693210279 1.28708808
EOD
$d1 << EOD
0 0.136802542 0.136048553 0.137556531
1 0.147536555 0.147016411 0.148056698
2 0.258016942 0.257489144 0.25854474
EOD
$d2 << EOD
0.06 0.134592361 0.13386461 0.135320113
1.06 0.145393794 0.144950273 0.145837314
2.06 0.25339389 0.252289479 0.254498302
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
