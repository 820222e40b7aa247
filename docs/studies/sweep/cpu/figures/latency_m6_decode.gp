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
-0.03 85.6399782 81.7329553 89.547001
0.97 312.377116 123.223069 501.531163
1.97 113.494044 111.106216 115.881873
EOD
$d1 << EOD
0.03 88.2372686 84.3147058 92.1598314
1.03 95.5694523 90.9658186 100.173086
2.03 112.449965 100.210279 124.689652
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
