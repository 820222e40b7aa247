set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m3_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-52m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 4.79669959 4.77408534 4.81931384
0.94 4.8082613 4.7825794 4.8339432
1.94 10.3210878 10.2975432 10.3446323
EOD
$d1 << EOD
0 61.006704 59.0405945 62.9728135
1 57.3495112 56.4498174 58.249205
2 66.7150299 65.1586059 68.2714538
EOD
$d2 << EOD
0.06 123.820992 117.525669 130.116315
1.06 123.956438 117.162372 130.750503
2.06 164.647641 123.814877 205.480405
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
