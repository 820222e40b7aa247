set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m7_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-xl: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 0.834123715 0.73142404 0.93682339
0.94 0.89507663 0.871078099 0.919075162
1.94 1.05406294 1.02058025 1.08754562
EOD
$d1 << EOD
0 3.24435553 3.2287541 3.25995697
1 3.31608003 3.30626834 3.32589171
2 5.36949398 5.36441767 5.37457029
EOD
$d2 << EOD
0.06 3.1105784 3.10340999 3.1177468
1.06 3.18077858 3.17672557 3.18483159
2.06 5.16034875 5.1550257 5.16567179
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
