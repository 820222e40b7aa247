set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m1_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'synthetic-0.8m: decode, tpot_ms'
$d0 << EOD
-0.03 0.086285729 0.0809575047 0.0916139534
0.97 0.0979493032 0.0928692335 0.103029373
1.97 0.356142839 0.344331981 0.367953696
EOD
$d1 << EOD
0.03 0.130593181 0.129275202 0.131911159
1.03 0.139845006 0.136343333 0.14334668
2.03 0.341561987 0.336985626 0.346138349
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
