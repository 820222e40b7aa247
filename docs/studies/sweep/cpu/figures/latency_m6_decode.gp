set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m6_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2-large: decode, tpot_ms'
$d0 << EOD
-0.03 87.1385287 82.5454695 91.7315879
0.97 63.4426014 61.9871954 64.8980073
1.97 118.127453 111.592535 124.662371
EOD
$d1 << EOD
0.03 95.2389497 91.6111982 98.8667011
1.03 145.661544 110.552096 180.770992
2.03 116.783073 114.319736 119.246411
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
