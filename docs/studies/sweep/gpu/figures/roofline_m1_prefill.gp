set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m1_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-0.8m: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 30.7447981 30.659558 30.8300383
0.94 0.995821982 0.971936051 1.01970791
1.94 0.84726139 0.840584818 0.853937962
EOD
$d1 << EOD
0 283.831753 256.818359 310.845148
1 293.58272 258.970576 328.194863
2 299.153487 281.291613 317.015361
EOD
$d2 << EOD
0.06 256.582159 240.58331 272.581008
1.06 254.908306 238.920945 270.895667
2.06 273.032677 260.342933 285.72242
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
