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
-0.03 15.8666127 13.180524 18.5527015
0.97 14.7230121 14.2095123 15.2365118
1.97 20.2699325 17.4507671 23.0890979
EOD
$d1 << EOD
0.03 6.18494346 5.89923268 6.47065425
1.03 6.68145619 6.11221143 7.25070094
2.03 9.60117592 8.91033067 10.2920212
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
