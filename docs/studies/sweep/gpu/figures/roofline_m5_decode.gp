set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m5_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-medium: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 1.02612611 1.01859624 1.03365599
0.94 0.961404709 0.850606256 1.07220316
1.94 1.30857545 1.25433101 1.36281989
EOD
$d1 << EOD
0 4.24112194 4.238254 4.24398988
1 4.37974859 4.3771061 4.38239107
2 8.2798089 8.26172992 8.29788788
EOD
$d2 << EOD
0.06 4.18795607 4.16120795 4.21470418
1.06 4.33793488 4.31101857 4.36485118
2.06 7.95235407 7.93651425 7.96819388
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
