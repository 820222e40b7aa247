set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m4_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 3.55859629 3.5426615 3.57453109
0.94 3.56035376 3.53302371 3.58768381
1.94 7.29425741 7.26295996 7.32555486
EOD
$d1 << EOD
0 33.4232491 32.3327445 34.5137537
1 38.302675 29.78401 46.82134
2 36.4489627 35.9980209 36.8999045
EOD
$d2 << EOD
0.06 74.4411467 70.1997857 78.6825077
1.06 71.1873716 69.2954749 73.0792684
2.06 79.6578228 62.8210223 96.4946234
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
