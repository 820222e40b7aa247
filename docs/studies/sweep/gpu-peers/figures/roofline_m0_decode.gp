set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'tiny-gpt2: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 682.117864 646.150613 718.085115
0.94 675.540457 642.417924 708.662989
1.94 1131.85625 1127.24538 1136.46713
EOD
$d1 << EOD
0 10741.318 10062.6416 11419.9944
1 10167.0835 10072.934 10261.233
2 15715.3319 15664.5672 15766.0967
EOD
$d2 << EOD
0.06 39567.8347 36188.3062 42947.3632
1.06 38761.8119 36246.4123 41277.2115
2.06 35678.1505 34945.1926 36411.1083
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
