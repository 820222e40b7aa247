set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m4_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2: decode, tpot_ms'
$d0 << EOD
-0.06 4.52768538 4.44841415 4.60695661
0.94 5.24866872 4.56454572 5.93279171
1.94 7.06291165 6.52948111 7.59634218
EOD
$d1 << EOD
0 0.445773445 0.444714009 0.446832881
1 0.469652916 0.468961126 0.470344707
2 0.703093239 0.699560249 0.706626228
EOD
$d2 << EOD
0.06 0.442610161 0.441695328 0.443524995
1.06 0.466926245 0.465382177 0.468470314
2.06 0.693848974 0.688459387 0.699238562
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
