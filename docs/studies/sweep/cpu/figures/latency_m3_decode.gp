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
-0.03 4.9409047 4.03163175 5.85017764
0.97 7.51494552 6.55787444 8.47201661
1.97 8.36444166 6.97276605 9.75611727
EOD
$d1 << EOD
0.03 4.45259272 3.80993787 5.09524757
1.03 5.49972514 5.27980378 5.7196465
2.03 7.23212209 7.12994717 7.33429702
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
