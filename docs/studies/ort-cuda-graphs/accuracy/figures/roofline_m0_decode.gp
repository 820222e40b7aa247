set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'batch_medium (4x64)' 1) rotate by -20
set xrange [-0.5:1.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'pydoc-gpt2-8m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 1.13844392 1.06967636 1.20721149
0.94 1.86956796 1.78611329 1.95302263
EOD
$d1 << EOD
0 81.6149202 80.3831341 82.8467064
1 135.186452 134.393649 135.979254
EOD
$d2 << EOD
0.06 38.4590728 37.7824879 39.1356578
1.06 72.4529086 71.8942332 73.011584
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0'
