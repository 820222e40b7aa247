set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'tiny-gpt2: decode, tpot_ms'
$d0 << EOD
-0.03 1.01257383 -0.190090935 2.21523859
0.97 2.30324589 2.04032609 2.56616569
1.97 2.60655524 2.48567217 2.7274383
EOD
$d1 << EOD
0.03 0.1316386 0.130637172 0.132640028
1.03 0.194404452 0.0928023727 0.296006531
2.03 0.329294148 0.317280877 0.34130742
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
