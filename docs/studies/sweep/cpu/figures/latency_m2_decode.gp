set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m2_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'synthetic-18m: decode, tpot_ms'
$d0 << EOD
-0.03 3.08636422 2.09604595 4.07668249
0.97 5.20898869 4.21931942 6.19865796
1.97 5.58122838 2.98268511 8.17977165
EOD
$d1 << EOD
0.03 4.00578184 3.0669552 4.94460848
1.03 5.0949051 3.80357129 6.38623892
2.03 6.52623562 5.7197793 7.33269194
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
