set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m1_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-0.8m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 98.5310678 96.0238252 101.03831
0.94 105.872489 98.9972112 112.747766
1.94 189.776803 178.170344 201.383262
EOD
$d1 << EOD
0 1369.96335 1348.11575 1391.81095
1 1436.42981 1264.82615 1608.03348
2 2135.90019 2102.23776 2169.56263
EOD
$d2 << EOD
0.06 2954.48279 2827.18375 3081.78184
1.06 3317.33764 2752.46577 3882.20952
2.06 3183.10409 3051.93873 3314.26944
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
