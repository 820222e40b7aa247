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
-0.06 28.7504126 28.0372398 29.4635854
0.94 28.9739061 28.1565738 29.7912383
1.94 39.0562001 38.2135121 39.8988881
EOD
$d1 << EOD
0 2.00131911 1.98774577 2.01489245
1 2.08164422 2.07142664 2.0918618
2 3.59176439 3.55847131 3.62505746
EOD
$d2 << EOD
0.06 1.8918656 1.88531639 1.89841481
1.06 1.97673137 1.97008975 1.983373
2.06 3.58893426 3.5766149 3.60125362
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
