set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m3_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'synthetic-52m: decode, tpot_ms'
$d0 << EOD
-0.06 0.164511626 0.163736028 0.165287223
0.94 0.168077594 0.167179857 0.16897533
1.94 0.370762142 0.369916358 0.371607926
EOD
$d1 << EOD
0 2.09233701 2.02490567 2.15976834
1 2.00470965 1.97325995 2.03615935
2 2.39658919 2.34067812 2.45250027
EOD
$d2 << EOD
0.06 4.24666841 4.03075875 4.46257808
1.06 4.33302154 4.09552817 4.5705149
2.06 5.91460063 4.44777432 7.38142694
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
