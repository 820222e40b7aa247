set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m4_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2: decode, tpot_ms'
$d0 << EOD
-0.03 10.7027014 8.18060004 13.2248028
0.97 10.5728201 10.210068 10.9355721
1.97 14.994625 14.7426959 15.2465542
EOD
$d1 << EOD
0.03 14.765794 13.6382191 15.8933688
1.03 15.1294512 14.5716421 15.6872602
2.03 19.8815235 19.2555301 20.5075169
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
