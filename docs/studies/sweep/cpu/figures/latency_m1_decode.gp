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
-0.03 1.79923305 1.49450085 2.10396524
0.97 2.09258234 2.00304897 2.18211571
1.97 2.60766774 2.57266572 2.64266975
EOD
$d1 << EOD
0.03 0.206548452 0.104744923 0.308351981
1.03 0.239450994 0.0920698376 0.386832149
2.03 0.504888239 0.362814388 0.64696209
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
