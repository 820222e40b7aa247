set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m1_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'synthetic-0.8m: decode, tpot_ms'
$d0 << EOD
-0.06 0.0451052194 0.0411405107 0.049069928
0.94 0.0559287742 0.0506067232 0.0612508252
1.94 0.633266703 -0.371583919 1.63811733
EOD
$d1 << EOD
0 0.0551791806 0.0547239839 0.0556343774
1 0.054960729 0.05425736 0.0556640981
2 0.104361252 0.103530451 0.105192053
EOD
$d2 << EOD
0.06 0.0535421032 0.0533058914 0.053778315
1.06 0.0532488065 0.0528522372 0.0536453757
2.06 0.10298751 0.102513893 0.103461127
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
